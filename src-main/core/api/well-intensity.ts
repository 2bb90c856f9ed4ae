// Mean intensity per well and channel for the plate heatmap's intensity metric: from the catalog's
// pixel_stats.csv rows (averaged over sites) when the plate has them, else computed from the plate's
// images by the stats provider (cached), else none, with the reason said.
import type { Catalog } from '../catalog/db';
import { createStatsProvider, storedWellMeans } from '../imaging/stats-provider';

export interface PlateIntensity {
  /** well name → 6 channel means on the 0–255 grey scale. */
  means: Map<string, Array<number | null>>;
  source: 'csv' | 'computed' | 'none';
  /** Sites the computed means come from (0 for csv and none). */
  sites: number;
  /** One line for the legend/figure: where the numbers come from, or why there are none. */
  note: string;
}

/**
 * The plate's per-well channel means: pixel_stats.csv when it covers the plate, else computed from
 * the images (every complete site decoded at full size; cached in the catalog until the images
 * change). `source: 'none'` with the reason when the plate has neither.
 */
export async function plateMeanIntensity(
  ds: { db: Catalog; root: string },
  experiment: string,
  plate: number,
  signal?: AbortSignal,
): Promise<PlateIntensity> {
  const csv = storedWellMeans(ds.db, experiment, plate, 'csv');
  if (csv.size > 0) return { means: csv, source: 'csv', sites: 0, note: 'from pixel_stats.csv' };
  const got = await createStatsProvider({ db: ds.db, root: ds.root }).plateWellMeans(
    experiment,
    plate,
    signal,
  );
  if (got.sites === 0) {
    return {
      means: got.means,
      source: 'none',
      sites: 0,
      note: 'no intensities: the dataset has no pixel_stats.csv and this plate has no complete 6-channel site to compute them from',
    };
  }
  return {
    means: got.means,
    source: 'computed',
    sites: got.sites,
    note: `computed from the images of ${got.sites} site${got.sites === 1 ? '' : 's'} (no pixel_stats.csv)`,
  };
}
