// The one reader/writer of the catalog's `meta` key/value table (migration 1): every module that
// needs the dataset root, format, label style, signatures or dataset id goes through here.
import type { Catalog } from './db';
import { cachedStatement } from './indexer/statements';

/**
 * The keys the catalog stores: 'root' (absolute dataset folder the image paths are relative to),
 * 'format' (metadata format), 'label_style', 'metadata_files' (JSON list), 'metadata_signature',
 * 'pixel_stats_signature', 'indexed_at' (ISO time), 'dataset_id' (migration 3), 'derived_stale'
 * ('1' while cross-checks must be redone), 'well_means_digest:{experiment}:{plate}' (digest of the
 * images behind a plate's computed per-well means, imaging/stats-provider.ts).
 */
export type MetaKey =
  | 'root'
  | 'format'
  | 'label_style'
  | 'metadata_files'
  | 'metadata_signature'
  | 'pixel_stats_signature'
  | 'indexed_at'
  | 'dataset_id'
  | 'derived_stale'
  | `well_means_digest:${string}`;

/** The value stored under `key`, null when absent. Throws when `db` has no meta table. */
export function readMeta(db: Catalog, key: MetaKey): string | null {
  const row = cachedStatement(db, 'SELECT value FROM meta WHERE key = ?').get(key) as
    | { value: string }
    | undefined;
  return row?.value ?? null;
}

/** Stores `value` under `key` (a no-op write when it is already the value). */
export function writeMeta(db: Catalog, key: MetaKey, value: string): void {
  cachedStatement(
    db,
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value != excluded.value',
  ).run(key, value);
}

/** Removes `key` (nothing when absent). */
export function deleteMeta(db: Catalog, key: MetaKey): void {
  cachedStatement(db, 'DELETE FROM meta WHERE key = ?').run(key);
}
