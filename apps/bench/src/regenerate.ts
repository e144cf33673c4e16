// `npm run report -- results/<stem>.json`: renders the Markdown report and the charts
// again from a run's JSON, without measuring anything (after a change to the report).
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { writeResults } from './report/write.js';
import type { BenchRun } from './run.js';

const [file] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: npm run report -- results/<stem>.json');
  process.exitCode = 2;
} else {
  const run = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
  console.log(`report: ${writeResults(run, path.dirname(path.resolve(file)))}`);
}
