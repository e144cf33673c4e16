// The report generator from a small fixture run: what a reader of results/ relies on.
// No benchmark runs here; this is fast and deterministic.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { BenchRun } from '../run.js';
import fixture from './fixture-run.json' with { type: 'json' };
import { chartFileName } from './markdown.js';
import { presentRun } from './present.js';
import { renderTerminal } from './terminal.js';
import { renderFiles, resultStem, writeResults } from './write.js';

const run = fixture as unknown as BenchRun;

describe('the Markdown report', () => {
  const files = renderFiles(run);
  const markdown = files.get('2026-01-02.md') ?? '';

  it('names its files after the day of a full run', () => {
    expect(resultStem(run)).toBe('2026-01-02');
    expect([...files.keys()].sort()).toEqual(
      [
        '2026-01-02.md',
        ...['native-overhead', 'region-flush', 'region-layout', 'wal-serial', 'wal-group'].map(
          (id) => chartFileName('2026-01-02', id),
        ),
        ...['ipc-latency', 'ipc-throughput'].map((id) => chartFileName('2026-01-02', id)),
      ].sort(),
    );
  });

  it('gives a partial run its own name, so it never replaces a full one', () => {
    const partial: BenchRun = { ...run, groups: { wal: run.groups.wal! } };
    expect(resultStem(partial)).toBe('2026-01-02-wal');
  });

  it('describes the machine and the command to reproduce', () => {
    expect(markdown).toContain('| command | `npm run bench` |');
    expect(markdown).toContain('| file system of the measured files | ext2/ext3 (ext4) |');
    expect(markdown).toContain('took 3 min 21 s');
  });

  it('links every chart it renders, by a relative path', () => {
    const links = [...markdown.matchAll(/!\[[^\]]*\]\(\.\/([^)]+)\)/g)].map((m) => m[1]);
    expect(links.sort()).toEqual([...files.keys()].filter((f) => f.endsWith('.svg')).sort());
  });

  it('lists every target of every group as met or not met, with the figure', () => {
    const sections = presentRun(run);
    const targets = sections.flatMap((s) => s.targets);
    expect(targets.length).toBeGreaterThanOrEqual(9);
    for (const t of targets) {
      expect(markdown).toContain(
        `| ${t.goal.replace(/\|/g, '\\|')} | ${t.measured} | ${t.met ? 'met' : '**not met**'} |`,
      );
    }
    // From the fixture: the cheap call was 0.47 µs (met), the 1,000-committer rate not.
    expect(targets.find((t) => t.goal.includes('MS_ASYNC'))?.met).toBe(true);
    expect(targets.find((t) => t.goal.includes('1,000,000'))?.met).toBe(false);
  });

  it('states a durability for every row that measures a durable or IPC path', () => {
    for (const section of presentRun(run)) {
      for (const table of section.tables) {
        const column = table.head.indexOf('durability');
        expect(column, `${table.title} has a durability column`).toBeGreaterThanOrEqual(0);
        for (const row of table.rows) expect(row[column]).toMatch(/\S/);
      }
    }
    expect(markdown).toContain('none: MS_ASYNC is a no-op on Linux');
  });

  it('gives the same bytes for the same run', () => {
    expect(renderFiles(run)).toEqual(files);
  });
});

describe('writeResults', () => {
  it('writes the JSON, the report, its charts, and latest.md for a full run', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mapsync-bench-report-'));
    try {
      writeResults(run, dir);
      const written = readdirSync(dir).sort();
      expect(written).toContain('2026-01-02.json');
      expect(written).toContain('latest.md');
      expect(readFileSync(path.join(dir, 'latest.md'), 'utf8')).toBe(
        readFileSync(path.join(dir, '2026-01-02.md'), 'utf8'),
      );
      expect(JSON.parse(readFileSync(path.join(dir, '2026-01-02.json'), 'utf8'))).toEqual(fixture);

      writeResults({ ...run, groups: { ipc: run.groups.ipc! } }, dir);
      expect(readdirSync(dir)).toContain('2026-01-02-ipc.md');
      // latest.md still shows the full run.
      expect(readFileSync(path.join(dir, 'latest.md'), 'utf8')).toContain('## wal:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the terminal report', () => {
  it('prints each table and every target', () => {
    const text = renderTerminal(presentRun(run));
    expect(text).toContain('Serial durable commits of 100-byte records');
    expect(text).toMatch(/^NOT MET +wal: >= 1,000,000 durable records\/s/m);
    expect(text).toMatch(/^met +native: a cheap call \(MS_ASYNC\)/m);
  });
});
