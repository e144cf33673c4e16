// Real processes killed for real: a writer is SIGKILLed at random moments (recovery
// included) many times; after each kill, everything it was told was durable must be
// there, byte for byte, and nothing it never wrote. WAL_KILLS=1000 for a long run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { PageStore, WriteAheadLog } from '../src/index.js';
import { payloadFor } from './fixtures/payload.mjs';
import { scratchDir } from './helpers.js';

const KILLS = Number(process.env.WAL_KILLS ?? 12);
const writer = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url));
const nextDir = scratchDir();

/** Runs the writer until a random moment, SIGKILLs it, returns the highest acknowledged LSN. */
function runAndKill(dir: string, mode: string, seed: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, mode, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = 0;
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acked = Math.max(acked, Number(line.slice(4)));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Sometimes during start-up and recovery, mostly while writing.
    const delay = seed % 5 === 0 ? seed % 40 : 50 + ((seed * 7919) % 400);
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${stderr}`));
      else resolve(acked);
    });
  });
}

describe('SIGKILL at random points', () => {
  it(`the log keeps every acknowledged record across ${KILLS} kills`, async () => {
    const dir = nextDir();
    let acknowledged = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      acknowledged = Math.max(acknowledged, await runAndKill(dir, 'log', kill));
      const log = WriteAheadLog.open(dir, { segmentSize: 256 * 1024 });
      try {
        expect(log.lastLsn, `after kill ${kill}`).toBeGreaterThanOrEqual(acknowledged);
        let expected = log.firstLsn;
        for (const record of log.records()) {
          expect(record.lsn).toBe(expected++);
          if (record.type === 'data') expect(Buffer.from(record.payload).equals(Buffer.from(payloadFor(record.lsn)))).toBe(true);
        }
      } finally {
        await log.close();
      }
    }
    expect(acknowledged).toBeGreaterThan(0);
  }, 120_000);

  it(`the page store keeps every acknowledged transaction, whole, across ${KILLS} kills`, async () => {
    const dir = nextDir();
    let acknowledged = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      acknowledged = Math.max(acknowledged, await runAndKill(dir, 'pages', kill));
      const store = PageStore.open(dir, { log: { segmentSize: 256 * 1024 } });
      try {
        const header = new DataView(store.read(0, 8).buffer).getUint32(0, true);
        expect(header, `after kill ${kill}`).toBeGreaterThanOrEqual(acknowledged);
        for (let slot = 0; slot < 64; slot++) {
          const bytes = store.read(4096 + slot * 1024, 1024);
          const n = new DataView(bytes.buffer).getUint32(0, true);
          if (n === 0) continue;
          // Each slot holds one whole transaction's write, never a mix or a future one.
          expect(n % 64).toBe(slot);
          expect(n).toBeLessThanOrEqual(header);
          const payload = payloadFor(n);
          expect(Buffer.from(bytes.subarray(8, 8 + payload.length)).equals(Buffer.from(payload))).toBe(true);
        }
      } finally {
        await store.close();
      }
    }
    expect(acknowledged).toBeGreaterThan(0);
  }, 120_000);
});

describe('one writer at a time', () => {
  it('a live writer process keeps others out; its death (SIGKILL) lets the next one in', async () => {
    const dir = nextDir();
    const child = spawn(process.execPath, [writer, dir, 'log', '7'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ack ')) resolve();
        });
        child.once('exit', (code) => {
          reject(new Error(`writer exited (${code}) before its first commit`));
        });
      });
      expect(() => WriteAheadLog.open(dir, { segmentSize: 256 * 1024 })).toThrow(expect.objectContaining({ code: 'ELOCKED' }));
      expect(() => PageStore.open(dir)).toThrow(expect.objectContaining({ code: 'ELOCKED' }));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const log = WriteAheadLog.open(dir, { segmentSize: 256 * 1024 });
      expect(log.lastLsn).toBeGreaterThan(0);
      await log.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
