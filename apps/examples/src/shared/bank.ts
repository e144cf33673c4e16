// The redo-log example's data: a few accounts, each on a page of its own in the page
// store's data file, changed by a numbered stream of transactions. Transaction n is a
// pure function of n, so a checker can tell exactly what a data file holds: it must
// equal "transactions 1..n applied, nothing else", for the n written on page 0.
import { pageSize } from '@mapsync/region';

export const ACCOUNTS = 8;
export const OPENING_BALANCE = 1000;
/** Page 0: the number of the last transaction applied; account i lives on page i + 1. */
export const STORE_SIZE = (ACCOUNTS + 1) * pageSize;

const accountOffset = (account: number): number => (account + 1) * pageSize;

export interface Transfer {
  readonly from: number;
  readonly to: number;
  readonly amount: number;
}

/** Transaction n > 1 moves an amount between two accounts (transaction 1 opens them all). */
export function transferOf(n: number): Transfer {
  const from = n % ACCOUNTS;
  const to = (from + 1 + ((n * 7) % (ACCOUNTS - 1))) % ACCOUNTS;
  return { from, to, amount: 1 + ((n * 37) % 50) };
}

/** The balances after transactions 1..n. */
export function balancesAfter(n: number): number[] {
  const balances = new Array<number>(ACCOUNTS).fill(n >= 1 ? OPENING_BALANCE : 0);
  for (let t = 2; t <= n; t++) applyTransfer(balances, transferOf(t));
  return balances;
}

function applyTransfer(balances: number[], { from, to, amount }: Transfer): void {
  balances[from] = (balances[from] ?? 0) - amount;
  balances[to] = (balances[to] ?? 0) + amount;
}

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}

export interface PageWrite {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/**
 * What transaction n writes, given the balances before it: the accounts it changes and
 * its own number on page 0 — three pages for a transfer, which must land together.
 */
export function writesOf(n: number, balancesBefore: readonly number[]): PageWrite[] {
  const after = [...balancesBefore];
  const touched: number[] = [];
  if (n === 1) {
    after.fill(OPENING_BALANCE);
    touched.push(...after.keys());
  } else {
    const transfer = transferOf(n);
    applyTransfer(after, transfer);
    touched.push(transfer.from, transfer.to);
  }
  return [
    ...touched.map((account) => ({
      offset: accountOffset(account),
      bytes: int32(after[account] ?? 0),
    })),
    { offset: 0, bytes: int32(n) },
  ];
}

export interface BankState {
  /** The last transaction applied. */
  readonly last: number;
  readonly balances: number[];
}

/** Reads the state from committed bytes (`PageStore.read`). */
export function readState(read: (offset: number, length: number) => Uint8Array): BankState {
  const int32At = (offset: number): number =>
    new DataView(read(offset, 4).buffer).getInt32(0, true);
  return {
    last: int32At(0),
    balances: Array.from({ length: ACCOUNTS }, (_, account) => int32At(accountOffset(account))),
  };
}
