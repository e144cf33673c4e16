// What a command leaves on disk (a scratch directory) goes also when Ctrl-C (SIGINT) or
// SIGTERM ends it, not only when it finishes: Node's default on those signals is to
// exit at once, skipping every `finally`.
const EXIT_ON: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Until the returned function is called, SIGINT or SIGTERM runs `cleanUp` (awaited),
 * then exits with 128 + the signal's number, as a shell reports it.
 */
export function cleanUpOnSignal(cleanUp: () => void | Promise<void>): () => void {
  const handlers = Object.entries(EXIT_ON).map(([signal, code]) => {
    const handler = (): void => {
      void Promise.resolve()
        .then(cleanUp)
        .finally(() => process.exit(code));
    };
    process.once(signal, handler);
    return { signal, handler };
  });
  return () => {
    for (const { signal, handler } of handlers) process.off(signal, handler);
  };
}
