// The identity of the dataset a catalog indexes: the stable id made with the catalog (meta
// 'dataset_id', migration 3), a digest of what was indexed (metadata files and image set), its name
// and catalog file. Runs and prediction sets record it; comparing two says whether they match.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DatasetMatch, DatasetRef } from '../../../src-shared/contract';
import type { Catalog } from './db';
import { readMeta } from './meta';

export type { DatasetMatch, DatasetRef };

/**
 * The digest of what the catalog indexed: the metadata CSVs' names/sizes/mtimes (meta
 * 'metadata_signature', 'pixel_stats_signature') and every plate folder's digest of its file
 * names, sizes and mtimes (plate_scans). Cheap: one small query, no file is read. It changes when
 * a re-index found changed metadata or images.
 */
export function datasetDigest(db: Catalog): string {
  const h = createHash('sha256');
  h.update(`metadata ${readMeta(db, 'metadata_signature') ?? ''}\n`);
  h.update(`pixel ${readMeta(db, 'pixel_stats_signature') ?? ''}\n`);
  const plates = db.prepare('SELECT dir, digest FROM plate_scans ORDER BY dir').all() as Array<{
    dir: string;
    digest: string;
  }>;
  for (const p of plates) h.update(`${p.dir} ${p.digest}\n`);
  return h.digest('hex').slice(0, 16);
}

/** The identity of an open, migrated catalog (`dbFile`: its path, recorded as given, resolved). */
export function datasetIdentity(db: Catalog, dbFile: string): DatasetRef {
  const id = readMeta(db, 'dataset_id');
  // Migration 3 made it; a read-only handle on an unmigrated catalog has none.
  if (!id) throw new Error(`${dbFile}: catalog has no dataset_id (open it read-write once)`);
  const root = readMeta(db, 'root') ?? '';
  return {
    id,
    digest: datasetDigest(db),
    name: root ? path.basename(root) : path.basename(dbFile),
    root,
    catalog: path.resolve(dbFile),
  };
}

/** 'demo (3f2a91c0)': the dataset in a message. Null (recorded before 2026-11-30) is 'unknown dataset'. */
export function describeDataset(ref: DatasetRef | null | undefined): string {
  return ref ? `${ref.name} (${ref.id.slice(0, 8)})` : 'unknown dataset';
}

/**
 * How recorded provenance relates to a dataset: 'same' (same id and digest), 'changed' (same
 * id, re-indexed with different files since), 'other' (another dataset), 'unknown' (nothing
 * recorded; `legacyCatalog`, the catalog path old runs kept, counts as 'same' when it is this one).
 */
export function matchDataset(
  recorded: DatasetRef | null | undefined,
  current: DatasetRef,
  legacyCatalog?: string | null,
): DatasetMatch {
  if (!recorded)
    return legacyCatalog && path.resolve(legacyCatalog) === current.catalog ? 'same' : 'unknown';
  if (recorded.id !== current.id) return sameDataset(recorded, current) ? 'same' : 'other';
  return recorded.digest === current.digest ? 'same' : 'changed';
}

/**
 * Whether two recorded datasets hold the same data: the same catalog, or another catalog of the
 * same folder whose index has the same digest (the folder indexed twice, e.g. by the CLI and by the
 * app). The digest alone is not enough: it hashes file names, sizes and mtimes, not pixels.
 */
export function sameDataset(a: DatasetRef, b: DatasetRef): boolean {
  return a.id === b.id || (a.root !== '' && a.root === b.root && a.digest === b.digest);
}
