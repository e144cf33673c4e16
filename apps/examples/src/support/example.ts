// What every example shares with the runner and with its test: where it may create
// files, how it tells its story, and the verdict on the claim it makes.

export interface ExampleContext {
  /** A directory of its own, on the disk being studied; removed by whoever made it. */
  readonly dir: string;
  /** Prints one line of the account (console.log when run, collected by the tests). */
  readonly say: (line: string) => void;
}

/** Every result carries the claim the example prints and whether this run showed it. */
export interface ClaimResult {
  readonly claim: string;
  readonly holds: boolean;
}

export interface Example {
  /** What `npm run example -- <name>` takes. */
  readonly name: string;
  /** The guide's scenario, as a heading. */
  readonly title: string;
  readonly run: (context: ExampleContext) => ClaimResult | Promise<ClaimResult>;
}
