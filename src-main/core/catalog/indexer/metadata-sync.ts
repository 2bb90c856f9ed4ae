// Writes what readMetadata found into the catalog in one transaction: experiments, plates, the
// labels of every well and the metadata problems. Skipped when the CSVs are unchanged.
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../db';
import { METADATA_FILES, type MetadataResult } from '../../dataset/metadata';
import { parseWellName } from '../../dataset/plate';
import type { CatalogIds } from './ids';
import { replaceScopeProblems } from './problem-store';
import { writeMeta } from '../meta';
import { markDerivedStale } from './meta';

/** Names, sizes and mtimes of the given files present: equal signatures mean nothing to re-read. */
export function filesSignature(root: string, names: readonly string[]): string {
  const parts: Array<[string, number, number]> = [];
  for (const name of names) {
    const st = fs.statSync(path.join(root, name), { throwIfNoEntry: false });
    if (st?.isFile()) parts.push([name, st.size, st.mtimeMs]);
  }
  return JSON.stringify(parts);
}

interface WellRow {
  id: number;
  plate_id: number;
  id_code: string;
  well_type: string;
  sirna: string | null;
  sirna_id: number | null;
  in_metadata: number;
  has_images: number;
}

export interface MetadataSyncResult {
  wellsAdded: number;
  wellsUpdated: number;
  wellsRemoved: number;
}

export function metadataSignature(root: string): string {
  return filesSignature(root, METADATA_FILES);
}

/** Writes the well metadata (not pixel stats: see pixel-sync.ts). */
export function syncMetadata(
  db: Catalog,
  ids: CatalogIds,
  meta: MetadataResult,
  signature: string,
): MetadataSyncResult {
  const result: MetadataSyncResult = { wellsAdded: 0, wellsUpdated: 0, wellsRemoved: 0 };
  db.transaction(() => {
    const existing = new Map<string, WellRow>();
    for (const w of db
      .prepare(
        'SELECT id, plate_id, id_code, well_type, sirna, sirna_id, in_metadata, has_images FROM wells',
      )
      .all() as WellRow[])
      existing.set(w.id_code, w);
    const insert = db.prepare(
      `INSERT INTO wells (plate_id, well, row, col, id_code, well_type, sirna, sirna_id, in_metadata, has_images)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0)`,
    );
    const update = db.prepare(
      'UPDATE wells SET well_type = ?, sirna = ?, sirna_id = ?, in_metadata = 1 WHERE id = ?',
    );
    const seen = new Set<string>();
    for (const w of meta.wells) {
      const expId = ids.experiment(w.experiment, w.split, w.cellType, true);
      const plateId = ids.plate(expId, w.plate);
      seen.add(w.idCode);
      const row = existing.get(w.idCode);
      if (!row) {
        const pos = parseWellName(w.well)!;
        insert.run(plateId, w.well, pos.row, pos.col, w.idCode, w.wellType, w.sirna, w.sirnaId);
        result.wellsAdded++;
      } else if (
        row.well_type !== w.wellType ||
        row.sirna !== w.sirna ||
        row.sirna_id !== w.sirnaId ||
        row.in_metadata !== 1
      ) {
        update.run(w.wellType, w.sirna, w.sirnaId, row.id);
        result.wellsUpdated++;
      }
    }
    // Wells the metadata no longer lists: forget their labels, keep them while they have images.
    const unlabel = db.prepare(
      "UPDATE wells SET well_type = 'unknown', sirna = NULL, sirna_id = NULL, in_metadata = 0 WHERE id = ?",
    );
    const remove = db.prepare('DELETE FROM wells WHERE id = ?');
    for (const row of existing.values()) {
      if (row.in_metadata !== 1 || seen.has(row.id_code)) continue;
      if (row.has_images) unlabel.run(row.id);
      else remove.run(row.id);
      result.wellsRemoved++;
    }
    replaceScopeProblems(db, 'metadata', meta.problems);
    writeMeta(db, 'format', meta.format);
    writeMeta(db, 'label_style', meta.labelStyle ?? 'none');
    writeMeta(db, 'metadata_files', JSON.stringify(meta.files));
    writeMeta(db, 'metadata_signature', signature);
    markDerivedStale(db);
  })();
  return result;
}
