// The SVG writer: well-formed, standalone documents whose bars match the data.
import { describe, expect, it } from 'vitest';

import type { BarChart } from './model.js';
import { renderBarChart } from './svg.js';

/** Checks that tags nest and close, and that text has no raw markup characters. */
function expectWellFormed(svg: string): void {
  const open: string[] = [];
  for (const [tag] of svg.matchAll(/<[^>]*>/g)) {
    if (tag.endsWith('/>')) continue;
    const name = /^<\/?([a-zA-Z]+)/.exec(tag)?.[1];
    expect(name, tag).toBeDefined();
    if (tag.startsWith('</')) expect(open.pop()).toBe(name);
    else open.push(name ?? '');
  }
  expect(open).toEqual([]);
  const text = svg.replace(/<[^>]*>/g, '');
  expect(text).not.toMatch(/[<>]/);
  expect(text).not.toMatch(/&(?!#\d+;)/);
}

const chart: BarChart = {
  id: 'example',
  title: 'Commits <per> second & more',
  axis: 'records/s, log scale',
  logScale: true,
  series: ['a "quoted" system', 'another'],
  categories: [
    { label: 'N = 1', values: [3_672, 2_518] },
    { label: 'N = 1,000', values: [420_515, undefined] },
  ],
  reference: { value: 1_000_000, label: 'target' },
  format: 'perSecond',
};

describe('renderBarChart', () => {
  it('writes a standalone, well-formed SVG document with escaped text', () => {
    const svg = renderBarChart(chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expectWellFormed(svg);
    expect(svg).toContain('Commits &#60;per&#62; second &#38; more');
    expect(svg).toContain('a &#34;quoted&#34; system');
  });

  it('draws one bar per defined value, each labelled with its value', () => {
    const svg = renderBarChart(chart);
    // Bars are the rects of height 14; the background and legend swatches are not.
    expect(svg.match(/<rect [^>]*height="14"/g)).toHaveLength(3);
    for (const label of ['3,672/s', '2,518/s', '420,515/s']) expect(svg).toContain(`>${label}<`);
  });

  it('orders bar lengths as the values on a log scale, and on a linear one', () => {
    for (const logScale of [true, false]) {
      const svg = renderBarChart({ ...chart, logScale });
      const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)" height="14"/g)].map((m) =>
        Number(m[1]),
      );
      expect(widths[1]).toBeLessThan(widths[0] ?? 0);
      expect(widths[0]).toBeLessThan(widths[2] ?? 0);
    }
  });

  it('is deterministic', () => {
    expect(renderBarChart(chart)).toBe(renderBarChart(chart));
  });

  it('refuses a chart with nothing to draw, or a negative value', () => {
    expect(() => renderBarChart({ ...chart, categories: [] })).toThrow(RangeError);
    expect(() =>
      renderBarChart({ ...chart, categories: [{ label: 'x', values: [-1, 2] }] }),
    ).toThrow(RangeError);
  });
});
