// What one `npm run bench` records: the raw measurements of each group that ran, and
// what they depend on (machine, disk, command). results/<date>.json is this object; the
// Markdown report and the terminal tables are derived from it (report/present.ts).
import type { Machine } from '@mapsync/bench-kit';

import type { IpcData } from './groups/ipc/measure.js';
import type { NativeData } from './groups/native/measure.js';
import type { RegionData } from './groups/region/measure.js';
import type { WalData } from './groups/wal/measure.js';

export const GROUPS = ['native', 'region', 'wal', 'ipc'] as const;
export type GroupName = (typeof GROUPS)[number];

export interface GroupData {
  native: NativeData;
  region: RegionData;
  wal: WalData;
  ipc: IpcData;
}

export interface BenchRun {
  /** When the run started (ISO 8601); its day names the result files. */
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly command: string;
  /** Where the files measured lived: durable figures are only as good as this disk. */
  readonly scratchDir: string;
  readonly machine: Machine;
  /** The 1, 5 and 15 minute load averages when the run ended (machine.loadavg: at its start). */
  readonly loadavgAtEnd: string;
  readonly groups: Partial<GroupData>;
}

export function isGroupName(name: string): name is GroupName {
  return (GROUPS as readonly string[]).includes(name);
}
