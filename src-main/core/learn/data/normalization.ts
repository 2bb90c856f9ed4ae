// Normalisation stats for a run's sites, shared by training and prediction so both standardise the
// same way: nothing for 'per-image' (each site's own), else the imaging stats provider's
// per-experiment (CSV pixel_stats or computed) or per-plate negative-control stats.
import { openCatalog } from '../../catalog/db';
import type { Normalization } from '../../imaging/normalize';
import { resolveStats, type StatsTable } from '../../imaging/pipeline';
import { createStatsProvider } from '../../imaging/stats-provider';

export interface SiteNormalization {
  mode: Normalization;
  stats: StatsTable;
}

export async function resolveRunStats(
  root: string,
  dbFile: string,
  mode: Normalization,
  sites: ReadonlyArray<{ experiment: string; plate: number }>,
): Promise<StatsTable> {
  if (mode === 'per-image' || mode === 'none') return {};
  const db = openCatalog(dbFile);
  try {
    const provider = createStatsProvider({ root, db });
    const samples = sites.map((s) => ({ ...s, relPaths: [], label: 0, siteKey: '' }));
    return await resolveStats(mode, samples, provider);
  } finally {
    db.close();
  }
}
