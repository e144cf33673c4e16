import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from '@mapsync/ipc';
import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  json,
  mapsync,
  mapsyncPiped,
  scratchDirs,
  spawnMapsyncRaw,
  startMapsync,
  type RunningMapsync,
} from './helpers.js';

const nextDir = scratchDirs();

/** An empty directory: `send` makes a queue in it. */
const newQueueDir = (): string => join(nextDir(), 'queue');

function sendOk(dir: string, ...args: string[]): Record<string, unknown> {
  const run = mapsync(['queue', 'send', dir, ...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return json(run);
}

/** `tail --json`: one JSON object per line. */
function tailJson(dir: string, ...args: string[]): Record<string, unknown>[] {
  const run = mapsync(['queue', 'tail', dir, '--json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('send', () => {
  it('makes a queue in an empty directory and appends each argument as a record', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    const run = mapsync(['queue', 'send', dir, 'hello', 'wörld']);
    expect(run.stdout).toBe(
      `queue       ${dir} (new)\n` +
        'sent        2 record(s): positions 64..80\n' +
        'durability  none: in the page cache (a process crash loses nothing, a power cut may); the kernel writes it to disk later\n',
    );
    expect(run.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['q-0000000000000000.seg', 'queue.meta']);
  });

  it('--json: { queue, created, durability, sent, positions, durablePosition }', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    expect(sendOk(dir, 'a', 'b')).toEqual({
      queue: dir,
      created: true,
      durability: 'none',
      sent: 2,
      positions: [64, 80],
      durablePosition: 0,
    });
    // --durability record: each record is flushed before the next, so all are on disk.
    const report = sendOk(dir, 'c', '--durability', 'record');
    expect(report).toMatchObject({ created: false, durability: 'record', positions: [96] });
    const stats = json(mapsync(['queue', 'stats', dir, '--json']));
    expect(report.durablePosition).toBe(stats.tail);
  });

  it('--stdin: one record per line, a blank line an empty record, CRLF taken as a line end', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    const run = mapsync(['queue', 'send', dir, '--stdin', '--json'], {
      input: 'first\n\nsecond\r\nthird\n',
    });
    expect(json(run)).toMatchObject({ sent: 4 });
    expect(tailJson(dir).map((record) => record.text)).toEqual(['first', '', 'second', 'third']);
    // An empty argument is an empty record too; the queue goes on after it.
    expect(sendOk(dir, '', 'last')).toMatchObject({ sent: 2 });
    expect(tailJson(dir).map((record) => record.text)).toEqual(['first', '', 'second', 'third', '', 'last']);
  });
});

describe('send: bytes as they are', () => {
  it('--stdin sends lines as bytes: not UTF-8, a lone CR, a CR LF end', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    const input = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x78, 0x0d, 0x79, 0x0d, 0x0a, 0xff]);
    const run = spawnMapsyncRaw(['queue', 'send', dir, '--stdin', '--json'], input);
    expect(run.status).toBe(0);
    const payloads = tailJson(dir).map((record) => Buffer.from(String(record.payload), 'base64'));
    expect(payloads).toEqual([Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('x\ry'), Buffer.from([0xff])]);
  });

  it('an argument that is not UTF-8 is refused, not changed', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    const run = mapsync(['queue', 'send', dir, 'ok', 'caf\uFFFD']);
    expect(run.stderr).toBe(
      "mapsync: ERR_INVALID_UTF8: message 2 is not valid UTF-8 (or holds U+FFFD); send bytes that are not UTF-8 with --stdin\n",
    );
    expect(run.status).toBe(2);
    expect(existsSync(join(dir, 'queue.meta'))).toBe(false);
  });

  it('a damaged segment found midway: ECORRUPT, exit 3, and what got in before it', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'a');
    // Garbage where the record after 'b' goes: the second message meets it.
    const segment = join(dir, readdirSync(dir).find((name) => name.endsWith('.seg'))!);
    const fd = openSync(segment, 'r+');
    writeSync(fd, new Uint8Array([0xff, 0xff, 0xff, 0x7f]), 0, 4, 96);
    closeSync(fd);
    const run = mapsync(['queue', 'send', dir, 'b', 'c']);
    expect(run.stderr).toMatch(/^mapsync: ECORRUPT: .*\(message 2; sent before it: 1, position 80\)\n$/);
    expect(run.status).toBe(3);
  });

  it('a message too large for a segment says which ones got in', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'first');
    const big = 'x'.repeat(17 * 1024 * 1024);
    const run = mapsync(['queue', 'send', dir, '--stdin'], { input: `a\nb\n${big}\nnever\n` });
    expect(run.stderr).toMatch(/^mapsync: ERR_RECORD_TOO_LARGE: .*\(message 3; sent before it: 2, positions \d+\.\.\d+\)\n$/);
    expect(run.status).toBe(1);
    expect(tailJson(dir).map((record) => record.text)).toEqual(['first', 'a', 'b']);
  });
});

describe('tail', () => {
  it('--name into `| head`: what was never written out is not marked read, and no stack trace', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, '0');
    const queue = Queue.open(dir);
    const encoder = new TextEncoder();
    for (let from = 1; from < 200_000; from += 10_000) {
      queue.appendBatch(Array.from({ length: 10_000 }, (_, i) => encoder.encode(String(from + i))));
    }
    queue.close();
    const run = mapsyncPiped(['queue', 'tail', dir, '--name', 'reader'], 'head -3');
    expect(run).toMatchObject({ stdout: '0\n1\n2\n', stderr: '', status: 0 });
    // Committed is what reached the pipe before head went away: at most its buffer
    // (64 KiB, ~10,000 of these lines) and a batch, not the whole queue.
    const next = mapsync(['queue', 'tail', dir, '--name', 'reader', '--count', '1']).stdout;
    expect(Number(next)).toBeGreaterThanOrEqual(3);
    expect(Number(next)).toBeLessThan(50_000);
  });

  /** A queue holding "one", "two", "three", then the bytes 00 01 02 ff. */
  function filledQueue(): string {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'one', 'two', 'three');
    const queue = Queue.open(dir);
    queue.append(new Uint8Array([0, 1, 2, 255]));
    queue.close();
    return dir;
  }

  it('prints each record on a line: text, or base64 after a marker', () => {
    const run = mapsync(['queue', 'tail', filledQueue()]);
    expect(run.stdout).toBe('one\ntwo\nthree\nbase64:AAEC/w==\n');
    expect(run.status).toBe(0);
  });

  it('prints text with a line that starts with the marker in base64 too, so a marked line is always base64', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'base64:aGk=', 'two\nbase64:aGk=', 'plain');
    const run = mapsync(['queue', 'tail', dir]);
    const b64 = (text: string) => `base64:${Buffer.from(text).toString('base64')}\n`;
    expect(run.stdout).toBe(`${b64('base64:aGk=')}${b64('two\nbase64:aGk=')}plain\n`);
    expect(run.status).toBe(0);
  });

  it('--json: one object per line, { position, next, length, payload, text }', () => {
    const records = tailJson(filledQueue());
    expect(records[0]).toEqual({
      position: 64,
      next: 80,
      length: 3,
      payload: Buffer.from('one').toString('base64'),
      text: 'one',
    });
    expect(records[3]).toEqual({
      position: 112,
      next: 128,
      length: 4,
      payload: 'AAEC/w==',
      text: null,
    });
  });

  it('--from a position or the end, --count', () => {
    const dir = filledQueue();
    expect(tailJson(dir, '--from', '80', '--count', '2').map((r) => r.text)).toEqual([
      'two',
      'three',
    ]);
    expect(tailJson(dir, '--from', 'end')).toEqual([]);
  });

  it('--name resumes where the last run with that name stopped', () => {
    const dir = filledQueue();
    expect(mapsync(['queue', 'tail', dir, '--name', 'billing', '--count', '2']).stdout).toBe(
      'one\ntwo\n',
    );
    expect(mapsync(['queue', 'tail', dir, '--name', 'billing']).stdout).toBe(
      'three\nbase64:AAEC/w==\n',
    );
    expect(mapsync(['queue', 'tail', dir, '--name', 'billing']).stdout).toBe('');
    // An anonymous tailer is not affected.
    expect(mapsync(['queue', 'tail', dir, '--count', '1']).stdout).toBe('one\n');
  });

  it.each([
    // In the first segment's header, before its first record.
    [['--from', '8'], 'ERR_OUT_OF_RANGE'],
    [['--from', '65'], 'ERR_UNALIGNED'],
    // Inside the first record ('one' at 64, 16 bytes with its header).
    [['--from', '72'], 'ERR_NOT_RECORD_START'],
    [['--name', ''], 'ERR_INVALID_ARG_TYPE'],
    [['--name', 'n'.repeat(41)], 'ERR_NAME_TOO_LONG'],
  ])('%j, refused by the queue, is a usage error: %s, exit 2', (args, code) => {
    const run = mapsync(['queue', 'tail', filledQueue(), ...args]);
    expect(run.stderr).toMatch(new RegExp(`^mapsync: ${code}: .*\\(see 'mapsync queue tail --help'\\)\n$`));
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  it('--from past the end of the queue: ERR_OUT_OF_RANGE, exit 2', () => {
    const run = mapsync(['queue', 'tail', filledQueue(), '--from', '4096']);
    expect(run.stderr).toBe(
      'mapsync: ERR_OUT_OF_RANGE: --from 4096 is past the end of the queue (position 128)\n',
    );
    expect(run.status).toBe(2);
  });
});

describe('tail --follow, with a sender in another process', () => {
  let follower: RunningMapsync | undefined;
  afterEach(() => {
    follower?.kill('SIGKILL');
  });

  async function nextRecord(running: RunningMapsync): Promise<Record<string, unknown>> {
    const next = await running.lines.next();
    if (next.done === true) throw new Error(`the follower ended: ${(await running.exited).stderr}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  }

  it('prints each record as it is sent, commits as it goes, and stops cleanly on SIGINT', async () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'before');
    follower = startMapsync(['queue', 'tail', dir, '--follow', '--json', '--name', 'watcher']);
    // Once the record sent before it is printed, the follower is waiting for the next.
    expect(await nextRecord(follower)).toMatchObject({ text: 'before' });
    const sent = sendOk(dir, 'while following');
    expect(await nextRecord(follower)).toMatchObject({
      text: 'while following',
      position: (sent.positions as number[])[0],
    });
    // Its position is committed as it goes (right after the line is written): another
    // process sees it.
    const { tail } = json(mapsync(['queue', 'stats', dir, '--json']));
    await vi.waitFor(() => {
      expect(json(mapsync(['queue', 'stats', dir, '--json'])).tailers).toEqual([
        { name: 'watcher', position: tail, pid: expect.any(Number) as number, alive: true },
      ]);
    });

    follower.kill('SIGINT');
    expect(await follower.exited).toEqual({ code: 0, signal: null, stderr: '' });
    expect(json(mapsync(['queue', 'stats', dir, '--json'])).tailers).toMatchObject([
      { name: 'watcher', position: tail, alive: false },
    ]);
  });

  it('an anonymous follower gives its tailer slot back when stopped with SIGTERM', async () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'first');
    follower = startMapsync(['queue', 'tail', dir, '--follow']);
    expect(await follower.lines.next()).toEqual({ done: false, value: 'first' });
    expect(json(mapsync(['queue', 'stats', dir, '--json'])).tailers).toMatchObject([
      { name: null, alive: true },
    ]);
    follower.kill('SIGTERM');
    expect((await follower.exited).code).toBe(0);
    expect(json(mapsync(['queue', 'stats', dir, '--json'])).tailers).toEqual([]);
  });
});

describe('stats', () => {
  it('segments, tail, durable position and tailers', () => {
    const dir = newQueueDir();
    mkdirSync(dir);
    sendOk(dir, 'one', 'two', '--durability', 'record');
    mapsync(['queue', 'tail', dir, '--name', 'billing', '--count', '1']);
    const report = json(mapsync(['queue', 'stats', dir, '--json']));
    expect(report).toEqual({
      queue: dir,
      segmentSize: 16 * 1024 * 1024,
      segments: [0],
      firstSegment: 0,
      tail: 96,
      durablePosition: 96,
      tailers: [{ name: 'billing', position: 80, pid: expect.any(Number) as number, alive: false }],
    });
    const run = mapsync(['queue', 'stats', dir]);
    expect(run.stdout).toContain('segments       1 of 16 MiB: 0');
    expect(run.stdout).toContain('tail           position 96 (where the next record goes)');
    expect(run.stdout).toContain(
      'durable        up to position 96: everything appended is on disk',
    );
    expect(run.stdout).toMatch(/│ billing │ 80 +│ \d+ +│ not running │/);
    expect(run.status).toBe(0);
  });
});

describe('not a queue', () => {
  it('a missing directory: ENOENT, exit 1, and nothing is created', () => {
    const missing = join(nextDir(), 'nope');
    for (const args of [
      ['send', missing, 'hi'],
      ['tail', missing],
      ['stats', missing],
    ]) {
      const run = mapsync(['queue', ...args]);
      expect(run.stderr).toBe(`mapsync: ENOENT: no such directory: ${missing}\n`);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(1);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it('a directory without queue.meta: ENOTQUEUE, exit 1, and nothing is created', () => {
    const empty = nextDir();
    for (const command of ['tail', 'stats']) {
      const run = mapsync(['queue', command, empty]);
      expect(run.stderr).toBe(`mapsync: ENOTQUEUE: ${empty} holds no queue (no queue.meta)\n`);
      expect(run.status).toBe(1);
    }
    expect(readdirSync(empty)).toEqual([]);

    const notEmpty = nextDir();
    writeFileSync(join(notEmpty, 'notes.txt'), 'hello');
    const run = mapsync(['queue', 'send', notEmpty, 'hi']);
    expect(run.stderr).toBe(
      `mapsync: ENOTQUEUE: ${notEmpty} holds no queue (no queue.meta); send makes a new queue only in an empty directory\n`,
    );
    expect(run.status).toBe(1);
    expect(readdirSync(notEmpty)).toEqual(['notes.txt']);
  });

  it('a queue.meta of garbage: EFORMAT, exit 1', () => {
    const dir = nextDir();
    const meta = join(dir, 'queue.meta');
    writeFileSync(meta, new Uint8Array(4096).fill(0x5a));
    for (const args of [
      ['send', dir, 'hi'],
      ['tail', dir],
      ['stats', dir, '--json'],
    ]) {
      const run = mapsync(['queue', ...args]);
      expect(run.stderr).toBe(`mapsync: EFORMAT: ${meta} is not a mapsync queue\n`);
      expect(run.stdout).toBe('');
      expect(run.status).toBe(1);
    }
  });

  it('an empty queue.meta: EFORMAT, exit 1 (never a crash)', () => {
    const dir = nextDir();
    const meta = join(dir, 'queue.meta');
    writeFileSync(meta, '');
    const run = mapsync(['queue', 'stats', dir]);
    expect(run.stderr).toBe(`mapsync: EFORMAT: ${meta} is empty: not a queue's meta file\n`);
    expect(run.status).toBe(1);
  });
});

describe('usage errors: one line with a code, exit 2', () => {
  it.each([
    [['send', 'q'], 'nothing to send: give messages as arguments, or --stdin', 'send'],
    [
      ['send', 'q', 'a', '--stdin'],
      'give the messages as arguments or with --stdin, not both',
      'send',
    ],
    [
      ['send', 'q', 'a', '--durability', 'batch'],
      "option '--durability <level>' argument 'batch' is invalid. Allowed choices are none, record.",
      'send',
    ],
    [
      ['tail', 'q', '--from', 'middle'],
      "option '--from <where>' argument 'middle' is invalid. expected 'beginning', 'end' or a queue position (0 or more), got 'middle'",
      'tail',
    ],
    [
      ['tail', 'q', '--count', '0'],
      "option '--count <n>' argument '0' is invalid. expected a whole number of 1 or more, got '0'",
      'tail',
    ],
    [['tail', 'q', '--bogus'], "unknown option '--bogus'", 'tail'],
    [['stats'], "missing required argument 'dir'", 'stats'],
  ])('mapsync queue %j', (args, message, command) => {
    const run = mapsync(['queue', ...args]);
    expect(run.stderr).toBe(
      `mapsync: ERR_USAGE: ${message} (see 'mapsync queue ${command} --help')\n`,
    );
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});
