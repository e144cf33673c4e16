// The crash step's data: accounts on pages of their own in a page store's data file,
// changed by numbered transactions. Transaction n is a pure function of n, so after
// recovery the data can be checked against "transactions 1..n, each whole, no more".
import { pageSize } from '@mapsync/region';

export const ACCOUNTS = 8;
export const OPENING_BALANCE = 1000;
/** Page 0: the number of the last transaction; account i on page i + 1. */
export const STORE_SIZE = (ACCOUNTS + 1) * pageSize;

const accountOffset = (account: number): number => (account + 1) * pageSize;

/** Transaction 1 opens every account; transaction n > 1 moves money between two. */
function transfer(n: number): { from: number; to: number; amount: number } {
  const from = n % ACCOUNTS;
  return {
    from,
    to: (from + 1 + ((n * 7) % (ACCOUNTS - 1))) % ACCOUNTS,
    amount: 1 + ((n * 37) % 50),
  };
}

function apply(balances: number[], n: number): void {
  if (n === 1) {
    balances.fill(OPENING_BALANCE);
    return;
  }
  const { from, to, amount } = transfer(n);
  balances[from] = (balances[from] ?? 0) - amount;
  balances[to] = (balances[to] ?? 0) + amount;
}

export function balancesAfter(n: number): number[] {
  const balances = new Array<number>(ACCOUNTS).fill(0);
  for (let t = 1; t <= n; t++) apply(balances, t);
  return balances;
}

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}

/** The page writes of transaction n: every account it changes, and n on page 0. */
export function writesOf(
  n: number,
  before: readonly number[],
): { offset: number; bytes: Uint8Array }[] {
  const after = [...before];
  apply(after, n);
  const changed = after.flatMap((balance, account) =>
    balance === before[account] ? [] : [account],
  );
  return [
    ...changed.map((account) => ({
      offset: accountOffset(account),
      bytes: int32(after[account] ?? 0),
    })),
    { offset: 0, bytes: int32(n) },
  ];
}

export interface BankState {
  readonly last: number;
  readonly balances: number[];
}

export function readState(read: (offset: number, length: number) => Uint8Array): BankState {
  const at = (offset: number): number => new DataView(read(offset, 4).buffer).getInt32(0, true);
  return {
    last: at(0),
    balances: Array.from({ length: ACCOUNTS }, (_, account) => at(accountOffset(account))),
  };
}
