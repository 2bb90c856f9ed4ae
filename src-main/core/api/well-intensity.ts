// Mean intensity per well and channel from the catalog's pixel_stats (averaged over sites), for the
// plate heatmap's intensity metric.
import type { Catalog } from '../catalog/db';
import { CHANNELS } from '../dataset/plate';

/** well name → 6 channel means (NaN-free: channels without stats are 0); empty when there are none. */
export function plateMeanIntensity(
  db: Catalog,
  experiment: string,
  plate: number,
): Map<string, number[]> {
  const rows = db
    .prepare(
      `SELECT ps.well, ps.channel, AVG(ps.mean) AS mean FROM pixel_stats ps
       JOIN experiments e ON e.id = ps.experiment_id
       WHERE e.name = ? AND ps.plate = ? AND ps.well IS NOT NULL
       GROUP BY ps.well, ps.channel`,
    )
    .all(experiment, plate) as Array<{ well: string; channel: number; mean: number }>;
  const out = new Map<string, number[]>();
  for (const r of rows) {
    if (r.channel < 1 || r.channel > CHANNELS) continue;
    let v = out.get(r.well);
    if (!v) out.set(r.well, (v = new Array<number>(CHANNELS).fill(0)));
    v[r.channel - 1] = r.mean;
  }
  return out;
}
