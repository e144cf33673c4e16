// A horizontal grouped bar chart as a standalone SVG document: the report's one chart
// type, written by hand (a few dozen lines) so the benchmark downloads nothing and its
// output is byte-for-byte deterministic for a given input.
import { formatValue } from './format.js';
import type { BarChart } from './model.js';

// Okabe-Ito: distinguishable with the common forms of colour blindness.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';
const BAR = 14;
const BAR_GAP = 3;
const CATEGORY_GAP = 12;
const PLOT_WIDTH = 420;
const VALUE_ROOM = 120;
// An estimate of a 12px character's width: there is no text measurement in a plain SVG.
const CHAR_WIDTH = 6.6;

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const px = (value: number): string => String(Math.round(value * 10) / 10);

interface Scale {
  position(value: number): number;
  ticks: number[];
}

function linearScale(max: number): Scale {
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { position: (value) => (value / top) * PLOT_WIDTH, ticks };
}

function logScale(min: number, max: number): Scale {
  const low = Math.floor(Math.log10(min));
  const high = Math.max(low + 1, Math.ceil(Math.log10(max)));
  const ticks = Array.from({ length: high - low + 1 }, (_, i) => 10 ** (low + i));
  // Bars start at the lowest power of ten, so even the smallest value shows.
  return {
    position: (value) => ((Math.log10(value) - low) / (high - low)) * PLOT_WIDTH,
    ticks,
  };
}

export function renderBarChart(chart: BarChart): string {
  const values = chart.categories.flatMap((c) => c.values).filter((v) => v !== undefined);
  const all = chart.reference === undefined ? values : [...values, chart.reference.value];
  if (values.length === 0 || all.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new RangeError(`chart ${chart.id}: needs at least one finite, non-negative value`);
  }
  const scale = chart.logScale
    ? logScale(Math.min(...all.filter((v) => v > 0)), Math.max(...all))
    : linearScale(Math.max(...all) || 1);

  const labelWidth = Math.min(
    360,
    Math.max(...chart.categories.map((c) => c.label.length)) * CHAR_WIDTH + 16,
  );
  const left = labelWidth + 10;
  const width = left + PLOT_WIDTH + VALUE_ROOM;
  const parts: string[] = [];
  let y = 26;
  parts.push(
    `<text x="12" y="${y}" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
  );
  y += 18;
  parts.push(`<text x="12" y="${y}" font-size="12" fill="#555">${escape(chart.axis)}</text>`);
  y += 10;

  if (chart.series.length > 1) {
    let x = 12;
    y += 14;
    chart.series.forEach((name, i) => {
      const room = name.length * CHAR_WIDTH + 30;
      if (x + room > width) {
        x = 12;
        y += 18;
      }
      parts.push(
        `<rect x="${px(x)}" y="${y - 10}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`,
        `<text x="${px(x + 17)}" y="${y}" font-size="12">${escape(name)}</text>`,
      );
      x += room;
    });
    y += 6;
  }

  // Room above the plot for the reference line's label.
  const plotTop = y + (chart.reference === undefined ? 10 : 24);
  y = plotTop;
  for (const category of chart.categories) {
    const block = chart.series.length * (BAR + BAR_GAP) - BAR_GAP;
    parts.push(
      `<text x="${px(labelWidth)}" y="${px(y + block / 2 + 4)}" font-size="12" text-anchor="end">${escape(category.label)}</text>`,
    );
    category.values.forEach((value, i) => {
      const top = y + i * (BAR + BAR_GAP);
      if (value === undefined) return;
      const length = Math.max(1, value > 0 ? scale.position(value) : 0);
      parts.push(
        `<rect x="${px(left)}" y="${px(top)}" width="${px(length)}" height="${BAR}" fill="${PALETTE[i % PALETTE.length]}"/>`,
        `<text x="${px(left + length + 4)}" y="${px(top + BAR - 3)}" font-size="11" fill="#333">${escape(formatValue(value, chart.format))}</text>`,
      );
    });
    y += block + CATEGORY_GAP;
  }
  const plotBottom = y - CATEGORY_GAP + 6;

  // Grid and tick labels under the bars, so bars are drawn over the lines.
  const grid: string[] = [];
  for (const tick of scale.ticks) {
    const x = left + scale.position(tick);
    grid.push(
      `<line x1="${px(x)}" y1="${px(plotTop - 4)}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="#ddd"/>`,
      `<text x="${px(x)}" y="${px(plotBottom + 14)}" font-size="10" fill="#555" text-anchor="middle">${escape(formatValue(tick, chart.format))}</text>`,
    );
  }
  if (chart.reference !== undefined) {
    const x = left + scale.position(chart.reference.value);
    grid.push(
      `<line x1="${px(x)}" y1="${px(plotTop - 8)}" x2="${px(x)}" y2="${px(plotBottom)}" stroke="#c00" stroke-dasharray="4 3"/>`,
      `<text x="${px(x + 3)}" y="${px(plotTop - 10)}" font-size="10" fill="#c00">${escape(chart.reference.label)}</text>`,
    );
  }
  const height = plotBottom + 26;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...grid,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
