// Pixel stats from pixel_stats.csv: parsed on a worker thread (the file has one row per image, so
// 753,060 rows for RxRx1) while the plates are indexed, then written in one transaction with their
// problems and the file's signature.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Papa from 'papaparse';
import type { Catalog } from '../db';
import {
  parsePixelStatsCore,
  PIXEL_STATS_FILE,
  type PixelStatsParse,
} from '../../dataset/metadata';
import type { CatalogIds } from './ids';
import { setMeta } from './meta';
import { filesSignature } from './metadata-sync';
import { replaceScopeProblems } from './problem-store';

export function pixelSignature(root: string): string {
  return filesSignature(root, [PIXEL_STATS_FILE]);
}

function workerSource(papaPath: string): string {
  return `
    const { parentPort, workerData } = require('node:worker_threads');
    const __name = (f) => f;
    const core = (${parsePixelStatsCore.toString()});
    const Papa = require(${JSON.stringify(papaPath)});
    const r = core(require('node:fs'), Papa.parse, workerData.file, workerData.name);
    const c = r.columns;
    const transfer = c ? [c.experiment.buffer, c.well.buffer, ...Object.values(c.values).map((v) => v.buffer)] : [];
    parentPort.postMessage(r, transfer);`;
}

/** Parses pixel_stats.csv (null when absent), on a worker when `threaded`, else in-process. */
export function parsePixelStatsFile(
  root: string,
  threaded: boolean,
): Promise<PixelStatsParse | null> {
  const file = path.join(root, PIXEL_STATS_FILE);
  if (!fs.existsSync(file)) return Promise.resolve(null);
  const inProcess = () => Promise.resolve(parsePixelStatsCore(fs, Papa.parse, file, PIXEL_STATS_FILE));
  if (!threaded) return inProcess();
  let worker: Worker;
  try {
    const papaPath = createRequire(import.meta.url).resolve('papaparse');
    worker = new Worker(workerSource(papaPath), {
      eval: true,
      workerData: { file, name: PIXEL_STATS_FILE },
    });
  } catch {
    return inProcess();
  }
  return new Promise((resolve, reject) => {
    worker.once('message', (r: PixelStatsParse) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
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
      const insert = db.prepare(
        `INSERT INTO pixel_stats (experiment_id, plate, well, site, channel, mean, std, median, min, max, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'csv')`,
      );
      const expIds = c.experiments.map((name) => {
        const split = ids.experimentSplit(name);
        return split ? ids.experiment(name, split) : null;
      });
      const orNull = (v: number) => (Number.isNaN(v) ? null : v);
      const v = c.values;
      for (let i = 0; i < c.n; i++) {
        const expId = expIds[c.experiment[i]!];
        if (expId === null || expId === undefined) continue;
        const w = c.well[i]!;
        insert.run(
          expId,
          orNull(v.plate[i]!),
          w < 0 ? null : c.wells[w],
          orNull(v.site[i]!),
          v.channel[i],
          v.mean[i],
          orNull(v.std[i]!),
          orNull(v.median[i]!),
          orNull(v.min[i]!),
          orNull(v.max[i]!),
        );
      }
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
    setMeta(db, 'pixel_stats_signature', signature);
  })();
}
