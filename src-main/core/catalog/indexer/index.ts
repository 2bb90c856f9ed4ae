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
import { parsePixelStatsFile, pixelSignature, syncPixelStats } from './pixel-sync';
import { removePlateDir, syncPlate, type PlateChanges } from './plate-sync';
import { crossProblems } from './cross-problems';
import { flatCandidates, flatChannelProblems } from './flat-check';
import { replaceScopeProblems } from './problem-store';
import { readMeta, writeMeta } from '../meta';
import { clearDerivedStale, derivedStale } from './meta';
import { listPlateDirs, noImageFolderProblem, toPlateScan } from './walk';
import { defaultScanThreads, ScanPool } from './scan-pool';
import type { RawScan } from './scan-core';

export interface IndexOptions {
  root: string;
  /** Catalog file; opened (and closed) here unless `db` is given. */
  dbFile?: string;
  db?: Catalog;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, message: string) => void;
  /** Worker threads that scan plate folders ahead of the writer; 0 scans in-process. */
  threads?: number;
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

/** Opens the catalog file; a file that is not one (or cannot be created) is the user's input error. */
function openOrExplain(file: string): Catalog {
  try {
    return openCatalog(file);
  } catch (err) {
    throw inputError(`cannot use ${file} as a PlateLab catalog: ${(err as Error).message}`, {
      path: file,
    });
  }
}

/** Turns foreign-key checks off (outside a transaction only); returns the function that restores them. */
function pauseForeignKeys(db: Catalog): () => void {
  const wasOn = !db.inTransaction && db.pragma('foreign_keys', { simple: true }) === 1;
  if (wasOn) db.pragma('foreign_keys = OFF');
  return () => {
    if (wasOn) db.pragma('foreign_keys = ON');
  };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function indexDataset(opts: IndexOptions): Promise<IndexResult> {
  const started = performance.now();
  const root = path.resolve(opts.root);
  checkRoot(root);
  if (!opts.db && !opts.dbFile) throw inputError('indexDataset needs a catalog file (dbFile)');
  const db = opts.db ?? openOrExplain(opts.dbFile!);
  if (!opts.db) {
    // A bigger page cache keeps the images indexes in memory while ~750k rows go in, and rarer
    // WAL checkpoints (64 MB instead of 4 MB) write each hot page to the database file fewer times.
    db.pragma('cache_size = -131072');
    db.pragma('wal_autocheckpoint = 16384');
  }
  const progress = opts.onProgress ?? (() => {});
  try {
    progress(0, 1, 'reading metadata');
    const ids = new CatalogIds(db);
    const threads = opts.threads ?? defaultScanThreads();
    const signature = metadataSignature(root);
    // A catalog from before label styles were recorded is re-read once: string labels there
    // still carry numbers taken for 2019 ids.
    const wellsChanged =
      signature !== readMeta(db, 'metadata_signature') ||
      readMeta(db, 'format') === null ||
      readMeta(db, 'label_style') === null;
    // pixel_stats.csv is big: parse it on a worker while the plates are indexed. It is redone when
    // the well metadata changes too, since its rows attach to the experiments listed there.
    const pixelSig = pixelSignature(root);
    const pixelJob =
      wellsChanged || pixelSig !== readMeta(db, 'pixel_stats_signature')
        ? parsePixelStatsFile(root, threads > 0)
        : null;
    pixelJob?.catch(() => {}); // awaited below
    let metadataRead = false;
    if (wellsChanged) {
      const meta = readMetadata(root, { pixelStats: false });
      throwIfCancelled(opts.signal);
      syncMetadata(db, ids, meta, signature);
      metadataRead = true;
    }
    throwIfCancelled(opts.signal);
    await yieldToLoop();

    // The 2020 layout (images/{EXP}/Plate{p}) takes each experiment's split from the metadata.
    const { plates, problems: treeProblems } = listPlateDirs(root, (e) => ids.experimentSplit(e));
    const format = readMeta(db, 'format') ?? 'none';
    if (plates.length === 0 && format !== 'none')
      treeProblems.push(noImageFolderProblem(root, format));
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
    // Plate rows are written consistent by construction (ids from the same transaction; nothing
    // deleted there has children), so foreign-key checks are paused for the loop: about a tenth
    // of its SQLite time. They are back on for removals and the cleanup, which rely on cascades.
    const resumeKeys = pauseForeignKeys(db);
    // Scans run ahead of the writer: a few plates in flight per thread.
    const pool = new ScanPool(threads);
    const ahead = Math.max(2, pool.threads * 3);
    const inFlight: Array<Promise<RawScan>> = [];
    const submit = (i: number) => {
      const p = plates[i]!;
      // A plate never indexed gets its PNG headers read in the same pass as its stats.
      const previous = known.get(p.dir);
      const job = pool.scan(p.abs, !previous, previous?.digest ?? null);
      job.catch(() => {}); // awaited below; avoid an unhandled rejection while queued
      inFlight[i] = job;
    };
    try {
      for (let i = 0; i < Math.min(ahead, plates.length); i++) submit(i);
      for (let i = 0; i < plates.length; i++) {
        throwIfCancelled(opts.signal);
        const plate = plates[i]!;
        const raw = await inFlight[i]!;
        delete inFlight[i];
        if (i + ahead < plates.length) submit(i + ahead);
        const previous = known.get(plate.dir);
        if (raw.same) {
          // unchanged plate: nothing to do
        } else if (!raw.readable) {
          treeProblems.push({
            kind: 'unreadable-file',
            path: plate.dir,
            message: 'cannot list this plate folder; kept what was indexed before',
          });
        } else if (previous?.digest !== raw.digest) {
          const scan = toPlateScan(raw);
          // Flat channel images: a size prefilter, then a decode of the few candidates only.
          const flat = await flatChannelProblems(
            root,
            flatCandidates(db, root, plate, scan),
            opts.signal,
          );
          const c = syncPlate(db, ids, root, plate, scan, flat);
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
    } finally {
      resumeKeys();
      await pool.close();
    }
    // Plate folders that disappeared (an unreadable one stays listed, so it is not in `known` any more).
    for (const gone of known.values()) {
      throwIfCancelled(opts.signal);
      changed.removed += removePlateDir(db, ids, gone.dir, gone.experiment, gone.plate);
    }
    if (pixelJob) {
      progress(total, total, 'pixel stats');
      const parsed = await pixelJob;
      // Its rows reference experiments the run itself resolved: no checks needed here either.
      const resume = pauseForeignKeys(db);
      try {
        syncPixelStats(db, ids, parsed, pixelSig);
      } finally {
        resume();
      }
      metadataRead = true;
    }
    throwIfCancelled(opts.signal);

    db.transaction(() => {
      replaceScopeProblems(db, 'tree', treeProblems);
      writeMeta(db, 'root', root);
      writeMeta(db, 'indexed_at', new Date().toISOString());
      // Cleanup and cross-checks depend only on rows some run changed since they were last done.
      if (!derivedStale(db)) return;
      db.prepare(
        'DELETE FROM plates WHERE NOT EXISTS (SELECT 1 FROM wells w WHERE w.plate_id = plates.id)',
      ).run();
      db.prepare(
        'DELETE FROM experiments WHERE NOT EXISTS (SELECT 1 FROM plates p WHERE p.experiment_id = experiments.id)',
      ).run();
      replaceScopeProblems(db, 'cross', crossProblems(db));
      clearDerivedStale(db);
    })();

    const counts = catalogCounts(db);
    return {
      ...counts,
      format: format as MetadataFormat,
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
