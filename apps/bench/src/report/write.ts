// Writes a run to results/: <stem>.json (the raw measurements), <stem>.md and one SVG
// per chart; a full run (every group) also becomes latest.md, which the README links.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { GROUPS, type BenchRun } from '../run.js';
import { chartFileName, renderMarkdown } from './markdown.js';
import { presentRun } from './present.js';
import { renderBarChart } from './svg.js';

/** The day, plus the groups when the run did not cover them all, so a partial run never overwrites a full one. */
export function resultStem(run: BenchRun): string {
  const day = run.startedAt.slice(0, 10);
  const groups = GROUPS.filter((g) => run.groups[g] !== undefined);
  return groups.length === GROUPS.length ? day : `${day}-${groups.join('-')}`;
}

export function isFullRun(run: BenchRun): boolean {
  return GROUPS.every((g) => run.groups[g] !== undefined);
}

/** Renders every file of the report, by name: deterministic for a given run. */
export function renderFiles(run: BenchRun, stem: string = resultStem(run)): Map<string, string> {
  const sections = presentRun(run);
  const files = new Map<string, string>();
  files.set(`${stem}.md`, renderMarkdown(run, sections, stem));
  for (const chart of sections.flatMap((s) => s.charts)) {
    files.set(chartFileName(stem, chart.id), renderBarChart(chart));
  }
  return files;
}

/** Writes the JSON and the rendered report; returns the Markdown report's path. */
export function writeResults(run: BenchRun, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const stem = resultStem(run);
  writeFileSync(path.join(dir, `${stem}.json`), `${JSON.stringify(run, null, 2)}\n`);
  for (const [name, text] of renderFiles(run, stem)) writeFileSync(path.join(dir, name), text);
  const report = path.join(dir, `${stem}.md`);
  if (isFullRun(run)) copyFileSync(report, path.join(dir, 'latest.md'));
  return report;
}
