// `mapsync demo`: the project's main job (what `npm start` runs).
import { Command } from '@commander-js/extra-typings';

import { runTour } from '../demo/tour.js';
import { existingDirectory } from '../files.js';

export function demoCommand() {
  return new Command('demo')
    .description(
      'a guided tour on a temporary directory: journal commit, partial sync, a crash and recovery, a queue between two processes',
    )
    .option(
      '--dir <dir>',
      'where to make the temporary directory (default: the system temporary directory)',
    )
    .action(async (options) => {
      if (options.dir !== undefined) existingDirectory(options.dir);
      await runTour(options.dir);
    });
}
