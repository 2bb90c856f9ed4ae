// Reads the optional `pixel_stats.csv` by header name. Only experiment, channel and mean are
// required; plate/well/site/std/median/min/max are read when the columns exist. The parsing itself
// lives in pixel-stats-core.ts so the indexer can run it on a worker thread.
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { csvExists } from './csv-table';
import { parsePixelStatsCore, type PixelStatColumns } from './pixel-stats-core';
import type { PixelStat, Problem } from './types';

export const PIXEL_STATS_FILE = 'pixel_stats.csv';

const orNull = (v: number) => (Number.isNaN(v) ? null : v);

export function columnsToStats(c: PixelStatColumns): PixelStat[] {
  const out: PixelStat[] = new Array(c.n);
  const v = c.values;
  for (let i = 0; i < c.n; i++) {
    out[i] = {
      experiment: c.experiments[c.experiment[i]!]!,
      plate: orNull(v.plate[i]!),
      well: c.well[i]! < 0 ? null : c.wells[c.well[i]!]!,
      site: orNull(v.site[i]!),
      channel: v.channel[i]!,
      mean: v.mean[i]!,
      std: orNull(v.std[i]!),
      median: orNull(v.median[i]!),
      min: orNull(v.min[i]!),
      max: orNull(v.max[i]!),
    };
  }
  return out;
}

/** Returns null when the file is absent (it is optional). */
export function readPixelStats(root: string, problems: Problem[]): PixelStat[] | null {
  if (!csvExists(root, PIXEL_STATS_FILE)) return null;
  const r = parsePixelStatsCore(
    fs,
    Papa.parse,
    path.join(root, PIXEL_STATS_FILE),
    PIXEL_STATS_FILE,
  );
  problems.push(...r.problems);
  return r.columns ? columnsToStats(r.columns) : [];
}
