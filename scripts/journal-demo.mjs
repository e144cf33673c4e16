// `npm start`: the guide's first scenario (journal commit with MS_SYNC) through
// @mapsync/native, printing what each step did. Later replaced by `mapsync demo`.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fallocateSync, fsyncDirectorySync, map, pageSize } from '@mapsync/native';

const dir = mkdtempSync(join(tmpdir(), 'mapsync-demo-'));
const path = join(dir, 'journal.dat');
try {
  const fd = openSync(path, 'w+', 0o600);
  fallocateSync(fd, 0, pageSize);
  fsyncDirectorySync(dir);
  console.log(`created ${path}: ${pageSize} bytes preallocated, directory entry made durable`);

  const journal = map(fd, { length: pageSize, access: 'readwrite' });
  closeSync(fd);
  const record = 'TRANSACTION: debit account=1234 amount=500';
  const written = new TextEncoder().encodeInto(record, new Uint8Array(journal.buffer));
  console.log(`wrote ${written.written} bytes into the mapping: "${record}"`);

  const started = process.hrtime.bigint();
  await journal.msync(0, pageSize);
  const micros = Number(process.hrtime.bigint() - started) / 1000;
  console.log(`msync(MS_SYNC) of 1 page returned after ${micros.toFixed(0)} µs: the record is on disk`);
  journal.unmap();

  const onDisk = readFileSync(path).subarray(0, record.length).toString();
  console.log(`read back with read(2): "${onDisk}" ${onDisk === record ? '(matches)' : '(MISMATCH)'}`);
  if (onDisk !== record) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
