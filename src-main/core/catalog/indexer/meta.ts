// The "derived rows are stale" mark in the catalog's meta table: every transaction that changes
// wells or images sets it, so the cross-checks at the end of a run are redone even when an earlier
// run was killed between its last plate and its final step.
import type { Catalog } from '../db';
import { deleteMeta, readMeta, writeMeta } from '../meta';

/** Call inside the transaction that changes wells, sites or images. */
export function markDerivedStale(db: Catalog): void {
  writeMeta(db, 'derived_stale', '1');
}

export function derivedStale(db: Catalog): boolean {
  return readMeta(db, 'derived_stale') === '1';
}

export function clearDerivedStale(db: Catalog): void {
  deleteMeta(db, 'derived_stale');
}
