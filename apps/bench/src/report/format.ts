// Number formats shared by the tables, the charts and the targets.
import { us } from '@mapsync/bench-kit';

export { us };

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12,345/s */
export const perSecond = (value: number): string => `${grouped.format(value)}/s`;

/** 1.02x */
export const ratio = (value: number): string => `${value.toFixed(value >= 10 ? 1 : 2)}x`;

/** 1.29 ns */
export const ns = (value: number): string => `${value.toFixed(2)} ns`;

export const count = (value: number): string => grouped.format(value);

export function formatValue(value: number, format: 'us' | 'perSecond' | 'ratio' | 'ns'): string {
  switch (format) {
    case 'us':
      return us(value);
    case 'perSecond':
      return perSecond(value);
    case 'ratio':
      return ratio(value);
    case 'ns':
      return ns(value);
  }
}
