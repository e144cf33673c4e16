// `mapsync inspect <file>`: size, pages, and how many pages are in the page cache
// right now (mincore through region.residency()), like fincore or vmtouch. Looking
// does not change it: the file is mapped read-only and no page is touched.
import { resolve } from 'node:path';

import { Command } from '@commander-js/extra-typings';
import { openRegionSync, pageSize } from '@mapsync/region';

import { existingFile } from '../files.js';
import { formatBytes, printFields, printJson } from '../output.js';

/** mincore returns a byte per page: ask 1 GiB at a time to bound that on huge files. */
const RESIDENCY_CHUNK = 1024 ** 3;

export interface InspectReport {
  readonly path: string;
  readonly size: number;
  readonly pageSize: number;
  readonly pages: number;
  /** Pages in the page cache now. */
  readonly resident: number;
}

function inspectFile(file: string): InspectReport {
  const path = resolve(file);
  const { size } = existingFile(path);
  const pages = Math.ceil(size / pageSize);
  if (size === 0) return { path, size, pageSize, pages, resident: 0 };
  const region = openRegionSync(path);
  try {
    let resident = 0;
    for (let offset = 0; offset < size; offset += RESIDENCY_CHUNK) {
      resident += region.residency({
        offset,
        length: Math.min(RESIDENCY_CHUNK, size - offset),
      }).resident;
    }
    return { path, size, pageSize, pages, resident };
  } finally {
    region.close();
  }
}

export function inspectCommand() {
  return new Command('inspect')
    .description(
      "show a file's size, its pages, and how many are in the page cache now (like fincore)",
    )
    .argument('<file>', 'the file to look at')
    .option('--json', 'print JSON (shape in the README)')
    .action((file, options) => {
      const report = inspectFile(file);
      if (options.json === true) {
        printJson(report);
        return;
      }
      const percent = report.pages === 0 ? 0 : (100 * report.resident) / report.pages;
      printFields([
        ['file', report.path],
        ['size', `${report.size} bytes (${formatBytes(report.size)})`],
        ['pages', `${report.pages} of ${report.pageSize} bytes`],
        ['resident', `${report.resident} pages (${percent.toFixed(1)}%) in the page cache`],
      ]);
    });
}
