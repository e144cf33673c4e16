// What a command leaves on disk (a scratch directory) goes also when Ctrl-C (SIGINT),
// SIGTERM or a reader that went away (EPIPE on stdout, see bin.ts) ends it, not only
// when it finishes: Node's default on those signals is to exit at once, skipping every
// `finally`, and so does the EPIPE handler.
const EXIT_ON: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

type CleanUp = () => void | Promise<void>;

/** Clean-ups of the commands running now. */
const pending = new Set<CleanUp>();

/** Runs every pending clean-up (each once, failures ignored), then exits with `code`. */
export async function exitAfterCleanUp(code: number): Promise<never> {
  const cleanUps = [...pending];
  pending.clear();
  await Promise.allSettled(cleanUps.map(async (cleanUp) => cleanUp()));
  process.exit(code);
}

/**
 * Until the returned function is called, SIGINT or SIGTERM runs `cleanUp` (awaited),
 * then exits with 128 + the signal's number, as a shell reports it; so does the EPIPE
 * handler, with its own exit code.
 */
export function cleanUpOnSignal(cleanUp: CleanUp): () => void {
  pending.add(cleanUp);
  const handlers = Object.entries(EXIT_ON).map(([signal, code]) => {
    const handler = (): void => {
      void exitAfterCleanUp(code);
    };
    process.once(signal, handler);
    return { signal, handler };
  });
  return () => {
    pending.delete(cleanUp);
    for (const { signal, handler } of handlers) process.off(signal, handler);
  };
}
