// The report on the terminal: each group's tables, then every target met or not.
import Table from 'cli-table3';

import type { Section } from './model.js';

export function renderTerminal(sections: readonly Section[]): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push('', `== ${section.title}`);
    for (const table of section.tables) {
      const t = new Table({
        head: [...table.head],
        colAligns: [...table.align],
        style: { head: [], border: [] },
        wordWrap: true,
      });
      t.push(...table.rows.map((row) => [...row]));
      out.push('', table.title, t.toString());
    }
  }
  out.push('', '== targets');
  for (const section of sections) {
    for (const target of section.targets) {
      out.push(
        `${target.met ? 'met    ' : 'NOT MET'}  ${section.group}: ${target.goal}: ${target.measured}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
