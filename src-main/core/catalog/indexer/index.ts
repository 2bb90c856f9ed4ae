// indexDataset: reads the metadata and walks the RxRx1 tree into the catalog. Incremental: CSVs are
// re-read only when they changed, plate folders are rewritten only when their digest changed, and
// every unit (metadata, one plate, problems) commits on its own, so a killed run leaves a usable catalog.
import fs from 'node:fs';
import path from 'node:path';
import { inputError, throwIfCancelled } from '../../errors';
import { readMetadata, type MetadataFormat } from '../../dataset/metadata';
import { openCatalog, type Catalog } from '../db';
import { catalogCounts, type CatalogCounts } from '../counts';
import { CatalogIds } from './ids';
import { metadataSignature, syncMetadata } from './metadata-sync';
import { removePlateDir, syncPlate, type PlateChanges } from './plate-sync';
import { crossProblems } from './cross-problems';
import { replaceScopeProblems } from './problem-store';
import { listPlateDirs, scanPlateDir } from './walk';

export interface IndexOptions {
  root: string;
  /** Catalog file; opened (and closed) here unless `db` is given. */
  dbFile?: string;
  db?: Catalog;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
}

export interface IndexResult extends CatalogCounts {
  format: MetadataFormat;
  seconds: number;
  changed: PlateChanges;
  /** Plate folders rewritten this run / found unchanged. */
  platesScanned: number;
  platesUnchanged: number;
  metadataRead: boolean;
}

function checkRoot(root: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw inputError(`dataset folder ${root} does not exist`, { path: root });
  }
  if (!st.isDirectory()) throw inputError(`${root} is not a folder`, { path: root });
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function setMeta(db: Catalog, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value != excluded.value',
  ).run(key, value);
}

function getMeta(db: Catalog, key: string): string | undefined {
  return (
    db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined
  )?.value;
}

export async function indexDataset(opts: IndexOptions): Promise<IndexResult> {
  const started = performance.now();
  const root = path.resolve(opts.root);
  checkRoot(root);
  if (!opts.db && !opts.dbFile) throw inputError('indexDataset needs a catalog file (dbFile)');
  const db = opts.db ?? openCatalog(opts.dbFile!);
  const progress = opts.onProgress ?? (() => {});
  try {
    progress(0, 1, 'reading metadata');
    let ids = new CatalogIds(db);
    const signature = metadataSignature(root);
    let metadataRead = false;
    if (signature !== getMeta(db, 'metadata_signature') || getMeta(db, 'format') === undefined) {
      const meta = readMetadata(root);
      throwIfCancelled(opts.signal);
      syncMetadata(db, ids, meta, signature);
      metadataRead = true;
    }
    throwIfCancelled(opts.signal);
    await yieldToLoop();

    const { plates, problems: treeProblems } = listPlateDirs(root);
    const known = new Map(
      (
        db.prepare('SELECT dir, digest, experiment, plate FROM plate_scans').all() as Array<{
          dir: string;
          digest: string;
          experiment: string;
          plate: number;
        }>
      ).map((r) => [r.dir, r]),
    );
    const changed: PlateChanges = { added: 0, updated: 0, removed: 0 };
    let platesScanned = 0;
    const total = plates.length;
    let lastYield = performance.now();
    for (let i = 0; i < plates.length; i++) {
      throwIfCancelled(opts.signal);
      const plate = plates[i]!;
      const scan = scanPlateDir(plate.abs);
      if (!scan.readable) {
        treeProblems.push({
          kind: 'unreadable-file',
          path: plate.dir,
          message: 'cannot list this plate folder; kept what was indexed before',
        });
      } else if (known.get(plate.dir)?.digest !== scan.digest) {
        const c = syncPlate(db, ids, root, plate, scan);
        changed.added += c.added;
        changed.updated += c.updated;
        changed.removed += c.removed;
        platesScanned++;
      }
      known.delete(plate.dir);
      progress(i + 1, total, plate.dir);
      // Let cancellation and progress events through without paying for a yield per plate.
      if (performance.now() - lastYield > 50) {
        await yieldToLoop();
        lastYield = performance.now();
      }
    }
    // Plate folders that disappeared (an unreadable one stays listed, so it is not in `known` any more).
    for (const gone of known.values()) {
      throwIfCancelled(opts.signal);
      changed.removed += removePlateDir(db, ids, gone.dir, gone.experiment, gone.plate);
    }

    db.transaction(() => {
      // Experiments and plates known from neither metadata nor folders.
      const a = db
        .prepare(
          'DELETE FROM plates WHERE NOT EXISTS (SELECT 1 FROM wells w WHERE w.plate_id = plates.id)',
        )
        .run().changes;
      const b = db
        .prepare(
          'DELETE FROM experiments WHERE NOT EXISTS (SELECT 1 FROM plates p WHERE p.experiment_id = experiments.id)',
        )
        .run().changes;
      if (a || b) ids = ids.reload();
      replaceScopeProblems(db, 'tree', treeProblems);
      replaceScopeProblems(db, 'cross', crossProblems(db));
      setMeta(db, 'root', root);
      setMeta(db, 'indexed_at', new Date().toISOString());
    })();

    const counts = catalogCounts(db);
    return {
      ...counts,
      format: (getMeta(db, 'format') ?? 'none') as MetadataFormat,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      changed,
      platesScanned,
      platesUnchanged: plates.length - platesScanned,
      metadataRead,
    };
  } finally {
    if (!opts.db) db.close();
  }
}
