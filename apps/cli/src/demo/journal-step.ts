// Step 1, the guide's first program: a journal record written through a shared mapping
// and made durable with msync(MS_SYNC) before going on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { openRegion, utf8 } from '@mapsync/region';

import { formatDuration, formatRange } from '../output.js';
import { ProofFailed, type DemoStep } from './step.js';

const RECORD = 'TRANSACTION: debit account=1234 amount=500';

export const journalStep: DemoStep = {
  title: 'Journal commit: msync(MS_SYNC)',
  async run({ dir, say }) {
    const path = join(dir, 'journal.dat');
    const journal = await openRegion(path, { mode: 'rw', create: true, size: 4096 });
    try {
      journal.set(utf8(64), 0, RECORD);
      say(`wrote "${RECORD}" into journal.dat through a shared mapping`);
      const report = await journal.flush();
      say(
        `flush(): ${report.method} over ${report.ranges.map(formatRange).join(', ')} in ${formatDuration(report.durationMs)}`,
      );
    } finally {
      journal.close();
    }
    const onDisk = readFileSync(path).subarray(0, RECORD.length).toString();
    if (onDisk !== RECORD) throw new ProofFailed(`read(2) returned "${onDisk}"`);
    return 'the record was on disk when flush() resolved, and read(2) returns it byte for byte';
  },
};
