// Types for index.js, so that TypeScript benchmark code (apps/bench) can use the kit.

/** A C program built by compileC; call dispose() to remove it. */
export interface CompiledC {
  readonly bin: string;
  /** First line of the compiler's --version. */
  readonly version: string;
  dispose(): void;
}

/** Nearest-rank percentiles, in the unit of the samples. */
export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
}

export interface Machine {
  readonly cpu: string;
  readonly nproc: number;
  readonly kernel: string;
  readonly filesystem: string;
  readonly node: string;
  readonly compiler: string;
  readonly loadavg: string;
}

export function compileC(source: string, name: string): CompiledC;
export function cCompilerVersion(): string;
export function summarize(chunks: readonly ArrayLike<number>[]): Summary;
export function describeMachine(dir: string, compiler: string): Machine;
export function us(microseconds: number): string;
export function benchDir(
  scriptDir: string,
  root?: string,
): { readonly dir: string; dispose(): void };
export function timeCalls(
  n: number,
  op: (i: number) => unknown,
  options?: { readonly warmup?: number; readonly prep?: (i: number) => void },
): Promise<Float64Array>;

/** Sleeps the calling thread for about `micros` µs (futex wait with a timeout), for pacing senders. */
export function sleepMicros(micros: number): void;

/**
 * `workers` async loops awaiting `op()`: untimed for `warmupSeconds`, then timed for
 * `seconds`; every op done in the timed window counted, one latency (µs) in `sampleEvery` kept.
 */
export function runConcurrent(
  options: { readonly workers: number; readonly warmupSeconds: number; readonly seconds: number; readonly sampleEvery?: number },
  op: () => Promise<unknown>,
): Promise<{ readonly records: number; readonly seconds: number; readonly latencies: Float64Array }>;

/** One side of a benchmark between processes (see startPeer). */
export interface Peer {
  /** Settles on the peer's 'ready' line; fails if it ends first. */
  readonly ready: Promise<void>;
  /** The JSON lines the peer printed, once it exits 0. */
  readonly result: Promise<unknown[]>;
  kill(): void;
}

/** Starts `node script ...args` as one side of a benchmark between processes. */
export function startPeer(script: string, args: readonly string[]): Peer;

/**
 * The side that listens first, then the other; the first JSON line of the one
 * `reporter` names. If the other fails, the listener is killed.
 */
export function listenerFirst(
  listener: readonly [string, ...string[]],
  other: readonly [string, ...string[]],
  reporter: 'listener' | 'other',
): Promise<unknown>;
