// Step 3, the guide's redo-log recipe through @mapsync/wal's PageStore: another process
// runs transactions and is killed with SIGKILL mid-way; recovery re-applies from the
// log what the data file lacks, and every acknowledged transaction is there, whole.
import { join } from 'node:path';

import { PageStore, inspectLog } from '@mapsync/wal';

import { ACCOUNTS, OPENING_BALANCE, balancesAfter, readState } from './bank.js';
import { nextLine, startChild, type Child } from './processes.js';
import { ProofFailed, type DemoStep } from './step.js';

const KILL_AFTER_ACKNOWLEDGED = 20;

function acknowledgedIn(line: string): number {
  const match = /^ack (\d+)$/.exec(line);
  if (match === null) throw new ProofFailed(`unexpected line from the writer: ${line}`);
  return Number(match[1]);
}

/** Waits for enough acknowledgements, kills, and returns the last one printed. */
async function killMidway(writer: Child): Promise<number> {
  let acknowledged = 0;
  while (acknowledged < KILL_AFTER_ACKNOWLEDGED)
    acknowledged = acknowledgedIn(await nextLine(writer, 'bank-writer'));
  writer.kill('SIGKILL');
  // Lines already in the pipe were printed before the kill: acknowledged too.
  for await (const line of writer.lines) acknowledged = acknowledgedIn(line);
  await writer.exited;
  return acknowledged;
}

export const crashStep: DemoStep = {
  title: 'Crash and recovery: a page store killed with SIGKILL mid-transaction',
  async run({ dir, say }) {
    const storeDir = join(dir, 'accounts');
    const writer = startChild('bank-writer', [storeDir]);
    say(
      `process ${writer.pid} runs transfers between ${ACCOUNTS} accounts, one page each, three pages a transaction`,
    );
    say(
      'each is acknowledged once its redo record is durable (written to the log, fdatasynced); the data pages are written after',
    );
    const acknowledged = await killMidway(writer);
    say(`SIGKILL after ${acknowledged} acknowledged transactions`);

    const afterCrash = inspectLog(storeDir);
    say(
      `the log as the crash left it: ${afterCrash.verdict}, LSNs ${afterCrash.firstLsn}..${afterCrash.lastLsn}`,
    );
    say(
      '(a killed process loses nothing the kernel has: what it flushed sits in the page cache; a power cut could tear the tail too)',
    );
    const store = PageStore.open(storeDir);
    try {
      const { recovery } = store;
      say(
        `recovery re-applied ${recovery.replayed} redo record(s) logged after the checkpoint at LSN ${recovery.checkpointLsn}`,
      );
      const { last, balances } = readState((offset, length) => store.read(offset, length));
      const total = balances.reduce((sum, balance) => sum + balance, 0);
      if (last < acknowledged)
        throw new ProofFailed(
          `transaction ${acknowledged} was acknowledged but the data ends at ${last}`,
        );
      if (JSON.stringify(balances) !== JSON.stringify(balancesAfter(last))) {
        throw new ProofFailed(
          `the balances are not those of transactions 1..${last}: ${balances.join(', ')}`,
        );
      }
      return (
        `all ${acknowledged} acknowledged transactions survived, each whole: the balances are exactly those of ` +
        `transactions 1..${last} and sum to ${total} (${ACCOUNTS} x ${OPENING_BALANCE})`
      );
    } finally {
      await store.close();
    }
  },
};
