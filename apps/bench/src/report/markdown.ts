// The Markdown report: the machine, every target met or not, then each group's method,
// chart and tables. Charts are separate SVG files beside it (chartFileName).
import type { BenchRun } from '../run.js';
import type { Section, Table } from './model.js';

/** results/<stem>-<chart id>.svg, linked relatively so any copy of the report beside it works. */
export const chartFileName = (stem: string, chartId: string): string => `${stem}-${chartId}.svg`;

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function markdownTable(table: Table): string[] {
  return [
    `| ${table.head.map(cell).join(' | ')} |`,
    `|${table.align.map((a) => (a === 'right' ? '---:' : '---')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes === 0
    ? `${Math.round(seconds)} s`
    : `${minutes} min ${Math.round(seconds % 60)} s`;
}

export function renderMarkdown(run: BenchRun, sections: readonly Section[], stem: string): string {
  const { machine } = run;
  const lines = [
    `# mapsync benchmarks: ${run.startedAt.slice(0, 10)}`,
    '',
    'One run of the suite in `apps/bench`. Every comparison below was measured side by side in this run, on the same disk; absolute times drift from run to run on a shared machine, so read the ratios. Each row says what durability it gives: no durable figure is set beside a non-durable one as an equal.',
    '',
    '| | |',
    '|---|---|',
    `| command | \`${cell(run.command)}\` |`,
    `| started | ${run.startedAt} (took ${duration(run.durationSeconds)}) |`,
    `| CPU | ${cell(machine.cpu)}, ${machine.nproc} available to Node.js |`,
    `| kernel | ${machine.kernel} |`,
    `| file system of the measured files | ${machine.filesystem} |`,
    `| Node.js | ${machine.node} |`,
    `| C compiler | ${cell(machine.compiler)} |`,
    `| load average (1, 5, 15 min) | ${machine.loadavg} at the start, ${run.loadavgAtEnd} at the end: other work on the machine competes with the measurements |`,
    '',
    '## Targets',
    '',
    ...markdownTable({
      title: 'Targets',
      head: ['group', 'target', 'measured', 'met?'],
      align: ['left', 'left', 'left', 'left'],
      rows: sections.flatMap((s) =>
        s.targets.map((t) => [s.group, t.goal, t.measured, t.met ? 'met' : '**not met**']),
      ),
    }),
  ];
  for (const section of sections) {
    lines.push('', `## ${section.title}`, '');
    for (const paragraph of section.method) lines.push(paragraph, '');
    for (const chart of section.charts) {
      lines.push(`![${chart.title}](./${chartFileName(stem, chart.id)})`, '');
    }
    for (const table of section.tables)
      lines.push(`### ${table.title}`, '', ...markdownTable(table), '');
    lines.pop();
  }
  return `${lines.join('\n')}\n`;
}
