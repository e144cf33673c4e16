// The exit codes scripts can rely on (documented in the README and in `mapsync --help`).
export const EXIT = {
  ok: 0,
  /** Something failed: a missing file, a system call error... */
  error: 1,
  /** The command line is wrong: unknown command or option, a bad value. */
  usage: 2,
  /** Damaged data: a write-ahead log's acknowledged records, or a queue segment, unreadable. */
  damaged: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Set by a command whose outcome is not plain success, read once it finishes. */
export interface Outcome {
  exitCode: ExitCode;
}
