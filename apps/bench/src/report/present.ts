// A run's raw measurements turned into report sections, in the suite's group order.
// Pure: the same JSON always gives the same report (results can be re-rendered).
import { presentIpc } from '../groups/ipc/present.js';
import { presentNative } from '../groups/native/present.js';
import { presentRegion } from '../groups/region/present.js';
import { presentWal } from '../groups/wal/present.js';
import { GROUPS, type BenchRun, type GroupData, type GroupName } from '../run.js';
import type { Section } from './model.js';

const presenters: { [G in GroupName]: (data: GroupData[G]) => Section } = {
  native: presentNative,
  region: presentRegion,
  wal: presentWal,
  ipc: presentIpc,
};

function presentGroup<G extends GroupName>(group: G, data: GroupData[G]): Section {
  return presenters[group](data);
}

export function presentRun(run: BenchRun): Section[] {
  return GROUPS.flatMap((group) => {
    const data = run.groups[group];
    return data === undefined ? [] : [presentGroup(group, data)];
  });
}
