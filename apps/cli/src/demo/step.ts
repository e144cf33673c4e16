// One step of the guided tour: it works in the tour's directory, tells what it does
// line by line, and returns what it proved — or throws if the proof failed.
export interface StepContext {
  readonly dir: string;
  readonly say: (line: string) => void;
}

export interface DemoStep {
  readonly title: string;
  readonly run: (context: StepContext) => Promise<string>;
}

/** A proof that did not hold is a bug worth a loud, coded error. */
export class ProofFailed extends Error {
  override readonly name = 'ProofFailed';
  readonly code = 'ERR_DEMO_PROOF';
}
