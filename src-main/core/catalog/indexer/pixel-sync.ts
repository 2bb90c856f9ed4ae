// Pixel stats from pixel_stats.csv: parsed on a worker thread (entries.ts 'pixel-worker'; the file
// has one row per image, so 753,060 rows for RxRx1) while the plates are indexed, then written in
// one transaction with their problems and the file's signature.
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { startWorker } from '../../jobs/entries';
import type { Catalog } from '../db';
import {
  parsePixelStatsCore,
  PIXEL_STATS_FILE,
  type PixelStatsParse,
} from '../../dataset/metadata';
import type { CatalogIds } from './ids';
import { writeMeta } from '../meta';
import { filesSignature } from './metadata-sync';
import { replaceScopeProblems } from './problem-store';

/** Rows per multi-row INSERT (10 parameters each, well under SQLite's 32,766). */
const ROWS_PER_INSERT = 200;
/** From this many rows the index is dropped during the load and rebuilt after it. */
const BULK_ROWS = 50_000;

export function pixelSignature(root: string): string {
  return filesSignature(root, [PIXEL_STATS_FILE]);
}

/**
 * Parses pixel_stats.csv (null when absent), on a worker when `threaded`, else in-process. A
 * missing worker entry rejects (INTERNAL, naming the file); a worker that dies rejects with why.
 */
export function parsePixelStatsFile(
  root: string,
  threaded: boolean,
): Promise<PixelStatsParse | null> {
  const file = path.join(root, PIXEL_STATS_FILE);
  if (!fs.existsSync(file)) return Promise.resolve(null);
  const inProcess = () =>
    Promise.resolve(parsePixelStatsCore(fs, Papa.parse, file, PIXEL_STATS_FILE));
  if (!threaded) return inProcess();
  return new Promise((resolve, reject) => {
    const worker = startWorker('pixel-worker', { workerData: { file, name: PIXEL_STATS_FILE } });
    worker.once('message', (r: PixelStatsParse) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`${PIXEL_STATS_FILE} worker ended before its result (exit code ${code})`)),
    );
  });
}

/** Replaces the csv pixel stats; rows of experiments the well metadata does not know are skipped (reported). */
export function syncPixelStats(
  db: Catalog,
  ids: CatalogIds,
  parsed: PixelStatsParse | null,
  signature: string,
): void {
  db.transaction(() => {
    db.prepare("DELETE FROM pixel_stats WHERE source = 'csv'").run();
    const problems = [...(parsed?.problems ?? [])];
    const c = parsed?.columns;
    if (c) {
      const expIds = c.experiments.map((name) => {
        const split = ids.experimentSplit(name);
        return split ? ids.experiment(name, split) : null;
      });
      // A big file loads faster without its index, which is then built once by sorting.
      const bulk = c.n >= BULK_ROWS;
      if (bulk) db.exec('DROP INDEX IF EXISTS pixel_stats_by_experiment');
      // Multi-row INSERTs: one statement call per ROWS_PER_INSERT rows instead of per row.
      const sql = (rows: number) =>
        `INSERT INTO pixel_stats (experiment_id, plate, well, site, channel, mean, std, median, min, max, source) VALUES ${Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'csv')").join(', ')}`;
      const full = db.prepare(sql(ROWS_PER_INSERT));
      const orNull = (x: number) => (Number.isNaN(x) ? null : x);
      const v = c.values;
      const params: Array<number | string | null> = new Array(ROWS_PER_INSERT * 10);
      let rows = 0;
      for (let i = 0; i < c.n; i++) {
        const expId = expIds[c.experiment[i]!];
        if (expId === null || expId === undefined) continue;
        const w = c.well[i]!;
        const o = rows * 10;
        params[o] = expId;
        params[o + 1] = orNull(v.plate[i]!);
        params[o + 2] = w < 0 ? null : c.wells[w]!;
        params[o + 3] = orNull(v.site[i]!);
        params[o + 4] = v.channel[i]!;
        params[o + 5] = v.mean[i]!;
        params[o + 6] = orNull(v.std[i]!);
        params[o + 7] = orNull(v.median[i]!);
        params[o + 8] = orNull(v.min[i]!);
        params[o + 9] = orNull(v.max[i]!);
        if (++rows === ROWS_PER_INSERT) {
          full.run(params);
          rows = 0;
        }
      }
      if (rows > 0) db.prepare(sql(rows)).run(params.slice(0, rows * 10));
      if (bulk)
        db.exec(
          'CREATE INDEX IF NOT EXISTS pixel_stats_by_experiment ON pixel_stats (experiment_id, channel)',
        );
      c.experiments.forEach((name, i) => {
        if (expIds[i] === null)
          problems.push({
            kind: 'malformed-row',
            path: PIXEL_STATS_FILE,
            message: `experiment ${name} is not in the well metadata; its pixel stats were skipped`,
          });
      });
    }
    replaceScopeProblems(db, 'pixel-stats', problems);
    writeMeta(db, 'pixel_stats_signature', signature);
  })();
}
