// Small key/value helpers over the catalog's `meta` table, and the "derived rows are stale" mark:
// every transaction that changes wells or images sets it, so the cross-checks at the end of a run
// are redone even when an earlier run was killed between its last plate and its final step.
import type { Catalog } from '../db';
import { cachedStatement } from './statements';

export function setMeta(db: Catalog, key: string, value: string): void {
  cachedStatement(
    db,
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value != excluded.value',
  ).run(key, value);
}

export function getMeta(db: Catalog, key: string): string | undefined {
  return (
    cachedStatement(db, 'SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined
  )?.value;
}

const STALE = 'derived_stale';

/** Call inside the transaction that changes wells, sites or images. */
export function markDerivedStale(db: Catalog): void {
  setMeta(db, STALE, '1');
}

export function derivedStale(db: Catalog): boolean {
  return getMeta(db, STALE) === '1';
}

export function clearDerivedStale(db: Catalog): void {
  cachedStatement(db, 'DELETE FROM meta WHERE key = ?').run(STALE);
}
