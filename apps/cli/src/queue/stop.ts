// How `queue tail` is stopped from outside: Ctrl-C, SIGTERM, or a reader that went away
// (EPIPE on stdout, as with `| head`). Each ends the run the same orderly way — the
// caller closes its queue, so an anonymous tailer's slot in queue.meta is given back
// instead of staying taken by a process that no longer exists.
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Calls `stop` on the first of those events; returns what stops listening for the signals. */
export function onStopRequest(stop: () => void): () => void {
  let stopped = false;
  const once = (): void => {
    if (stopped) return;
    stopped = true;
    stop();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, once);
  // Kept to the end of the process: a write that failed reports it after the command
  // returned, and an unheard stdout error would crash with a stack trace.
  process.stdout.on('error', once);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, once);
  };
}
