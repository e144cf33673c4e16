// What a report is made of, whatever it is rendered to (Markdown, SVG, terminal): each
// group becomes a Section of tables, charts and the targets, met or not.
import type { GroupName } from '../run.js';

export interface Table {
  readonly title: string;
  readonly head: readonly string[];
  /** Per column; numbers read best right-aligned. */
  readonly align: readonly ('left' | 'right')[];
  readonly rows: readonly (readonly string[])[];
}

/** Horizontal bars, one per series, for each category. */
export interface BarChart {
  /** Names the SVG file: results/<date>-<id>.svg. */
  readonly id: string;
  readonly title: string;
  /** What the bars measure, with the unit and which way is better. */
  readonly axis: string;
  /** For values spanning orders of magnitude (commits/s from C to LevelDB). */
  readonly logScale?: boolean;
  readonly series: readonly string[];
  readonly categories: readonly {
    readonly label: string;
    /** One per series; undefined where that series has no such bar. */
    readonly values: readonly (number | undefined)[];
  }[];
  /** A vertical line, e.g. a ratio of 1 or a target. */
  readonly reference?: { readonly value: number; readonly label: string };
  /** Formats a value for the label at the end of its bar. */
  readonly format: 'us' | 'perSecond' | 'ratio' | 'ns';
}

export interface Target {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface Section {
  readonly group: GroupName;
  readonly title: string;
  /** How it was measured: what a reader needs to trust or doubt the figures. */
  readonly method: readonly string[];
  readonly tables: readonly Table[];
  readonly charts: readonly BarChart[];
  readonly targets: readonly Target[];
}
