// readMetadata(root): finds which RxRx1 metadata format a folder holds and reads it into WellMeta
// rows, optional pixel stats and non-fatal problems. Formats: 2019 (integer labels), its string-label re-release, 2020.
import fs from 'node:fs';
import { inputError } from '../../errors';
import { has2019Files, read2019 } from './read-2019';
import { has2020File, read2020, METADATA_2020 } from './read-2020';
import { readPixelStats, PIXEL_STATS_FILE } from './pixel-stats';
import type { MetadataResult, Problem } from './types';

export type * from './types';
export { parseLabel, labelStyleOf, type LabelStyle } from './parse-row';
export { PIXEL_STATS_FILE, columnsToStats } from './pixel-stats';
export {
  parsePixelStatsCore,
  type PixelStatColumns,
  type PixelStatsParse,
} from './pixel-stats-core';

/** Well metadata files whose size and mtime decide whether the catalog must re-read them. */
export const METADATA_FILES = [
  'train.csv',
  'train_controls.csv',
  'test.csv',
  'test_controls.csv',
  'sample_submission.csv',
  METADATA_2020,
] as const;

export interface ReadMetadataOptions {
  /** Read pixel_stats.csv too (default true); the indexer reads it separately, on a worker. */
  pixelStats?: boolean;
}

export function readMetadata(root: string, opts: ReadMetadataOptions = {}): MetadataResult {
  const withPixels = opts.pixelStats ?? true;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw inputError(`dataset folder ${root} does not exist`, { path: root });
  }
  if (!stat.isDirectory()) throw inputError(`${root} is not a folder`, { path: root });
  const problems: Problem[] = [];
  if (has2020File(root)) {
    const wells = read2020(root, problems);
    const pixelStats = withPixels ? readPixelStats(root, problems) : null;
    const files = [METADATA_2020, ...(pixelStats ? [PIXEL_STATS_FILE] : [])];
    // The 2020 release's submission-style label is the integer sirna_id (sirna holds siRNA names).
    return {
      format: 'rxrx1-2020',
      labelStyle: 'integer',
      wells,
      pixelStats,
      problems,
      testOrder: null,
      files,
    };
  }
  if (has2019Files(root)) {
    const r = read2019(root, problems);
    const pixelStats = withPixels ? readPixelStats(root, problems) : null;
    if (pixelStats) r.files.push(PIXEL_STATS_FILE);
    return {
      format: r.style === 'integer' ? 'rxrx1-2019' : 'rxrx1-strings',
      labelStyle: r.labelStyle,
      wells: r.wells,
      pixelStats,
      problems,
      testOrder: r.testOrder,
      files: r.files,
    };
  }
  problems.push({
    kind: 'missing-file',
    path: '.',
    message: 'no metadata found (expected train.csv/test.csv or metadata.csv)',
  });
  return {
    format: 'none',
    labelStyle: null,
    wells: [],
    pixelStats: null,
    problems,
    testOrder: null,
    files: [],
  };
}
