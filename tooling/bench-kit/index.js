// Shared by the benchmark scripts (never by tests): they compare JS against C and
// against peers side by side in one run, on the same disk, and report ratios.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Compiles one C file with -O2 into a temporary directory; exits with a clear message without a compiler. */
export function compileC(source, name) {
  const cc = process.env.CC ?? 'cc';
  const binDir = mkdtempSync(path.join(os.tmpdir(), 'mapsync-bench-'));
  const bin = path.join(binDir, name);
  const r = spawnSync(cc, ['-O2', '-o', bin, source], { encoding: 'utf8' });
  if (r.error?.code === 'ENOENT' || r.status !== 0) {
    rmSync(binDir, { recursive: true, force: true });
    const why = r.error?.code === 'ENOENT' ? `no C compiler: '${cc}' was not found` : r.stderr || r.error?.message;
    console.error(`this benchmark needs a C compiler for its baseline (set CC to choose one).\n${why}`);
    process.exit(1);
  }
  return {
    bin,
    version: cCompilerVersion(),
    dispose: () => rmSync(binDir, { recursive: true, force: true }),
  };
}

/** First line of `$CC --version` (default `cc`), or 'none' without a compiler: for the machine description. */
export function cCompilerVersion() {
  try {
    return execFileSync(process.env.CC ?? 'cc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'none';
  }
}

/**
 * Times `op` one call at a time, `n` times after `warmup` untimed calls; `prep` runs
 * untimed before each call (to dirty a page, say). Returns µs per call. A promise
 * (any thenable) returned by `op` is awaited inside the timed region; any other value
 * is not, so a synchronous call pays no microtask. For calls of a microsecond or more:
 * a clock read costs tens of nanoseconds, so cheaper calls need batching (see the
 * native overhead benchmark) or a benchmark library.
 */
export async function timeCalls(n, op, { warmup = 20, prep } = {}) {
  const samples = new Float64Array(n);
  for (let i = -warmup; i < n; i++) {
    prep?.(i);
    const t0 = performance.now();
    const pending = op(i);
    if (typeof pending?.then === 'function') await pending;
    if (i >= 0) samples[i] = (performance.now() - t0) * 1000;
  }
  return samples;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleeps the calling thread for about `micros` µs (a futex wait with a timeout). For
 * pacing a sender between latency messages: a sender that spins instead holds one of
 * this machine's two vCPUs, and the receiver's threads queue behind it.
 */
export function sleepMicros(micros) {
  Atomics.wait(pause, 0, 0, micros / 1000);
}

/** Nearest-rank percentiles over every sample of every chunk. */
export function summarize(chunks) {
  const all = Float64Array.from(chunks.flatMap((c) => Array.from(c))).sort();
  const at = (p) => all[Math.max(0, Math.ceil((p * all.length) / 100) - 1)];
  return {
    n: all.length,
    p50: at(50),
    p99: at(99),
    p999: at(99.9),
    mean: all.reduce((a, b) => a + b, 0) / all.length,
  };
}

/** CPU, cores, kernel, file system of `dir`, Node, compiler and load: what a figure depends on. */
export function describeMachine(dir, compiler) {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  const fs = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
  // stat -f reports ext2, ext3 and ext4 alike ("ext2/ext3"); the mount table tells them apart.
  const mount = spawnSync('findmnt', ['-n', '-o', 'FSTYPE', '--target', dir], { encoding: 'utf8' });
  return {
    cpu,
    nproc: os.availableParallelism(),
    kernel: os.release(),
    filesystem: mount.status === 0 ? `${fs} (${mount.stdout.trim()})` : fs,
    node: process.version,
    compiler,
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

export const us = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + ' µs';

/**
 * A fresh directory under `root` (default: `.tmp` beside the calling script, on the
 * package's disk — /tmp may be tmpfs, where durable calls reach no disk). Returns the
 * directory and a cleanup that never removes a root the caller chose.
 */
export function benchDir(scriptDir, root) {
  const base = root ?? path.join(scriptDir, '.tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'run-'));
  return {
    dir,
    dispose() {
      rmSync(dir, { recursive: true, force: true });
      if (root === undefined) {
        try {
          rmdirSync(base);
        } catch {
          // not empty: a concurrent run still uses it
        }
      }
    },
  };
}

/**
 * `workers` async loops, each awaiting `op()` again and again: untimed for
 * `warmupSeconds` (a fresh store's first second is slower: V8 optimizing, first page
 * faults, pipelines filling), then timed for `seconds`. Every completed op in the timed
 * window is counted; the latency of one op in `sampleEvery` is kept (timing and keeping
 * every one cost 1,000 committers of the log 8-10% of their time, which a user's own
 * loop would not pay).
 */
export async function runConcurrent({ workers, warmupSeconds, seconds, sampleEvery = 16 }, op) {
  const latencies = [];
  let records = 0;
  let phase = 'warmup';
  let started = 0;
  let ended = 0;
  const phases = new Promise((resolve) => {
    setTimeout(() => {
      phase = 'timing';
      started = performance.now();
      setTimeout(() => {
        phase = 'done';
        ended = performance.now();
        resolve();
      }, seconds * 1000);
    }, warmupSeconds * 1000);
  });
  const worker = async () => {
    // A random start, so that the workers' sampled ops do not all fall in the same rounds.
    for (let i = Math.floor(Math.random() * sampleEvery); phase !== 'done'; i++) {
      if (phase === 'timing' && i % sampleEvery === 0) {
        const t0 = performance.now();
        await op();
        latencies.push((performance.now() - t0) * 1000);
      } else {
        await op();
      }
      if (phase === 'timing') records++;
    }
  };
  await Promise.all([phases, ...Array.from({ length: workers }, worker)]);
  return { records, seconds: (ended - started) / 1000, latencies: Float64Array.from(latencies) };
}

/**
 * Starts `node script ...args` as one side of a benchmark between processes: `ready`
 * settles on its 'ready' line (and fails if it ends first), `result` with the JSON lines
 * it printed once it exits 0.
 */
export function startPeer(script, args) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const name = `${path.basename(script)} ${args[0] ?? ''}`.trim();
  let out = '';
  let onReady = () => undefined;
  const result = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with code ${code}`));
      resolve(out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)));
    });
  });
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    result.then(() => reject(new Error(`${name} ended before it was ready`)), reject);
  });
  // Senders never say 'ready': only a caller that awaits it sees that failure.
  ready.catch(() => undefined);
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    out += chunk;
    if (out.includes('ready\n')) onReady();
  });
  return { ready, result, kill: () => child.kill() };
}

/**
 * The side that listens first (a receiver, a ping-pong's answering side), then the
 * other; the first JSON line of the one `reporter` names. If the other fails, the
 * listener, which would wait for messages that never come, is killed.
 */
export async function listenerFirst(listener, other, reporter) {
  const [listenScript, ...listenArgs] = listener;
  const [otherScript, ...otherArgs] = other;
  const listening = startPeer(listenScript, listenArgs);
  await listening.ready;
  let otherLines;
  try {
    otherLines = await startPeer(otherScript, otherArgs).result;
  } catch (error) {
    listening.kill();
    await listening.result.catch(() => undefined);
    throw error;
  }
  const listenerLines = await listening.result;
  return (reporter === 'listener' ? listenerLines : otherLines)[0];
}
