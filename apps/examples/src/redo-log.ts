// Guide, "write-ahead logging with msync", the redo-log recipe:
//   1. write the redo log page through the mapping;
//   2. msync(log_page, MS_SYNC): the log is durable before any data page changes;
//   3. write the data pages;  4. msync the data pages.
// @mapsync/wal's PageStore is that recipe as an API (steps 1-2 in transaction(),
// step 3 right after, step 4 at checkpoint). Its log makes step 2 durable with pwrite +
// fdatasync of the log page from a private mapping rather than msync of a shared one:
// the same durability, without a write fault on the next record. Here another process runs transactions
// through it and is killed with SIGKILL in the middle of its work. Recovery then
// re-applies from the log what the data file lacks: every transaction the killed
// process was told was durable is there, whole, and nothing else.
import { join } from 'node:path';

import { PageStore, inspectLog, type PageStoreRecovery } from '@mapsync/wal';

import { balancesAfter, readState, type BankState } from './shared/bank.js';
import type { ClaimResult, ExampleContext } from './support/example.js';
import { nextLine, startProgram, type RunningProgram } from './support/processes.js';

export interface RedoLogResult extends ClaimResult {
  /** The last transaction the killed process reported durable. */
  readonly acknowledged: number;
  readonly killedBy: NodeJS.Signals | null;
  /** What the crash left in the log, before recovery touched it. */
  readonly logAfterCrash: {
    readonly verdict: string;
    readonly lastLsn: number;
    readonly checkpointLsn: number;
  };
  readonly recovery: PageStoreRecovery;
  /** The data file after recovery. */
  readonly recovered: BankState;
  /** The data equal "transactions 1..recovered.last applied", no more, no less. */
  readonly wholeTransactionsOnly: boolean;
}

function ackedNumber(line: string): number {
  const match = /^ack (\d+)$/.exec(line);
  if (match === null) throw new Error(`unexpected line from the writer: ${line}`);
  return Number(match[1]);
}

/** Reads acknowledgements until `count`, then kills the writer; returns the last one it printed. */
async function killAfter(writer: RunningProgram, count: number): Promise<number> {
  let acknowledged = 0;
  while (acknowledged < count) acknowledged = ackedNumber(await nextLine(writer));
  writer.kill('SIGKILL');
  // Lines already in the pipe were printed before the kill: acknowledged too.
  for await (const line of writer.lines) acknowledged = ackedNumber(line);
  return acknowledged;
}

export async function redoLog(
  { dir, say }: ExampleContext,
  { killAfterAcknowledged = 25 }: { killAfterAcknowledged?: number } = {},
): Promise<RedoLogResult> {
  const storeDir = join(dir, 'accounts');
  const writer = startProgram('bank-writer', [storeDir]);
  say(
    `Process ${writer.pid} runs transfers between 8 accounts (one page each) through a PageStore in ${storeDir}`,
  );
  const acknowledged = await killAfter(writer, killAfterAcknowledged);
  const { signal: killedBy } = await writer.exited;
  say(
    `SIGKILL after it acknowledged transaction ${acknowledged}: it dies in the middle of the next ones`,
  );

  const afterCrash = inspectLog(storeDir);
  say(
    `The log as the crash left it: ${afterCrash.verdict}, LSNs ${afterCrash.firstLsn}..${afterCrash.lastLsn}, ` +
      `last checkpoint at LSN ${afterCrash.checkpointLsn}`,
  );
  say(
    '(SIGKILL loses nothing the kernel already has: what the process flushed sits in the page cache. A power cut could also tear the tail, which recovery truncates.)',
  );

  const store = PageStore.open(storeDir);
  try {
    const { recovery } = store;
    say(
      `Recovery: log ${recovery.log.verdict}; re-applied ${recovery.replayed} redo record(s) logged after ` +
        `the checkpoint at LSN ${recovery.checkpointLsn}`,
    );
    const recovered = readState((offset, length) => store.read(offset, length));
    const wholeTransactionsOnly =
      JSON.stringify(recovered.balances) === JSON.stringify(balancesAfter(recovered.last));
    const total = recovered.balances.reduce((sum, balance) => sum + balance, 0);
    say(
      `The data file holds transactions 1..${recovered.last}, ${wholeTransactionsOnly ? 'each one whole' : 'but NOT each one whole'}; ` +
        `balances sum to ${total}`,
    );
    if (recovered.last > acknowledged) {
      say(
        `(transaction ${recovered.last} was durable but died before its "ack" was printed: that is allowed)`,
      );
    }

    const claim =
      'after a SIGKILL mid-way and recovery, every acknowledged transaction is present, each one whole';
    const holds = recovered.last >= acknowledged && wholeTransactionsOnly;
    return {
      claim,
      holds,
      acknowledged,
      killedBy,
      logAfterCrash: {
        verdict: afterCrash.verdict,
        lastLsn: afterCrash.lastLsn,
        checkpointLsn: afterCrash.checkpointLsn,
      },
      recovery,
      recovered,
      wholeTransactionsOnly,
    };
  } finally {
    await store.close();
  }
}
