// Mean intensity per well and channel for the plate heatmap's intensity metric: from the catalog's
// pixel_stats.csv rows (averaged over sites) when the plate has them, else computed from the plate's
// images by the stats provider in a 'stats' job (progress, cancel; cached in the catalog), else
// none, with the reason said.
import type { AppContext } from '../app/app-context';
import type { Catalog } from '../catalog/db';
import { PlateLabError } from '../errors';
import { stepProgress } from '../jobs/job-manager';
import { createStatsProvider, storedWellMeans } from '../imaging/stats-provider';

export interface PlateIntensity {
  /** well name → 6 channel means on the 0–255 grey scale. */
  means: Map<string, Array<number | null>>;
  /** 'pending': being computed from the images by job `jobId`; the catalog changes when done. */
  source: 'csv' | 'computed' | 'none' | 'pending';
  /** Sites the computed means come from (0 for csv and none). */
  sites: number;
  /** One line for the legend/figure: where the numbers come from, or why there are none. */
  note: string;
  jobId?: string;
}

const NONE_NOTE =
  'no intensities: the dataset has no pixel_stats.csv and this plate has no complete 6-channel site to compute them from';

/** Tables the intensity job writes; sent with catalog:changed so plate maps refresh. */
const INTENSITY_TABLES = ['pixel_stats'];

/** Intensity jobs by `root:experiment:plate`, so a plate is computed once at a time. */
const running = new Map<string, string>();

/**
 * Starts (or joins) the job that computes a plate's per-well channel means from its images (every
 * complete site decoded at full size) and caches them; emits catalog:changed when done.
 */
export function startIntensityJob(ctx: AppContext, experiment: string, plate: number): string {
  const ds = ctx.dataset;
  if (!ds) throw new PlateLabError('CONFLICT', 'no dataset is open');
  const key = `${ds.root}:${experiment}:${plate}`;
  const current = running.get(key);
  const status = current ? ctx.jobs.get(current)?.status : undefined;
  if (current && (status === 'queued' || status === 'running')) return current;
  const job = ctx.jobs.start(
    'stats',
    `Mean intensities of ${experiment} plate ${plate}`,
    async (j) => {
      const got = await createStatsProvider({ db: ds.db, root: ds.root }).plateWellMeans(
        experiment,
        plate,
        { signal: j.signal, onProgress: stepProgress(j) },
      );
      ctx.events.emit('catalog:changed', { tables: INTENSITY_TABLES });
      return { sites: got?.sites ?? 0 };
    },
  );
  running.set(key, job.id);
  return job.id;
}

/**
 * The plate's per-well channel means: pixel_stats.csv when it covers the plate, else those
 * computed from the images when cached for the current images, else `source: 'pending'` with the
 * job computing them (started here); `source: 'none'` with the reason when the plate has neither
 * CSV rows nor a complete site. `wait`: wait for that job and return its result instead.
 */
export async function plateMeanIntensity(
  ctx: AppContext,
  ds: { db: Catalog; root: string },
  experiment: string,
  plate: number,
  opts: { wait?: boolean } = {},
): Promise<PlateIntensity> {
  const csv = storedWellMeans(ds.db, experiment, plate, 'csv');
  if (csv.size > 0) return { means: csv, source: 'csv', sites: 0, note: 'from pixel_stats.csv' };
  const provider = createStatsProvider({ db: ds.db, root: ds.root });
  let got = await provider.plateWellMeans(experiment, plate, { cachedOnly: true });
  if (!got) {
    const jobId = startIntensityJob(ctx, experiment, plate);
    if (!opts.wait) {
      return {
        means: new Map(),
        source: 'pending',
        sites: 0,
        note: 'computing the mean intensities from the images (no pixel_stats.csv): see Jobs',
        jobId,
      };
    }
    const done = await ctx.jobs.wait(jobId);
    if (done.status !== 'done') {
      throw new PlateLabError(
        done.status === 'cancelled' ? 'CANCELLED' : 'INTERNAL',
        `computing the mean intensities from the images ${done.status === 'cancelled' ? 'was cancelled' : `failed: ${done.error?.message ?? ''}`}`,
      );
    }
    got = await provider.plateWellMeans(experiment, plate, { cachedOnly: true });
    if (!got) got = await provider.plateWellMeans(experiment, plate);
  }
  if (!got || got.sites === 0)
    return { means: new Map(), source: 'none', sites: 0, note: NONE_NOTE };
  return {
    means: got.means,
    source: 'computed',
    sites: got.sites,
    note: `computed from the images of ${got.sites} site${got.sites === 1 ? '' : 's'} (no pixel_stats.csv)`,
  };
}
