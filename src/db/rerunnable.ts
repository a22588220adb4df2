import type { Transaction } from 'sequelize';

/** Work marked by `rerunnable`. */
export const mayRunAgain = new WeakSet<object>();

/**
 * Marks a transaction's work as safe to run again from its start before it commits: it changes
 * nothing outside the database but through afterCommit hooks (those of the run that commits are
 * the ones that run), and it reads what it needs inside the transaction. On SQLite, work waiting
 * in line with other such work then shares their savepoint (queueTransactions); elsewhere nothing
 * changes.
 */
export function rerunnable<W extends (t: Transaction) => Promise<unknown>>(work: W): W {
  mayRunAgain.add(work);
  return work;
}
