// Normalisation stats that can be trusted: a std floor relative to the channel's spread across the
// run's plates/experiments, and a fallback to the next level (per-plate-controls → per-experiment →
// per-image) for a plate or experiment whose stats are flat or missing, with a warning line for each.
import { PlateLabError } from '../errors';
import { channelStats, MIN_STD, type ChannelStats, type Normalization } from './normalize';
import type { PipelineSample, StatsTable } from './pipeline/types';
import type { StatsProvider } from './stats-provider';

/**
 * Below this std (grey levels on the 0–255 scale) a channel is flat whatever the dataset: half a
 * grey level is quantisation noise, i.e. a constant or all-black image.
 */
export const FLAT_STD = 0.5;
/** A plate's/experiment's std under this fraction of the channel's typical std counts as flat. */
export const STD_FLOOR_FRACTION = 0.05;

/**
 * Per-channel std floor: floor_c = max(FLAT_STD, STD_FLOOR_FRACTION × median_e std_{e,c}), where
 * e runs over the entries (plates' negative controls, or experiments) the run normalises with; the
 * median is the channel's dataset-wide spread, robust to a few flat entries. Entries below the
 * floor in any channel are unusable (dividing by them blows every other well up by 20× or more).
 */
export function stdFloor(entries: readonly ChannelStats[], channels = 6): number[] {
  const floor: number[] = [];
  for (let c = 0; c < channels; c++) {
    const stds = entries
      .map((e) => e.std[c])
      .filter((s): s is number => typeof s === 'number' && Number.isFinite(s))
      .sort((a, b) => a - b);
    const mid = stds.length ? (stds[(stds.length - 1) >> 1]! + stds[stds.length >> 1]!) / 2 : 0;
    floor.push(Math.max(FLAT_STD, STD_FLOOR_FRACTION * mid));
  }
  return floor;
}

/** 1-based channels whose std is below the floor (or not a finite number, or whose mean is not). */
export function flatChannels(stats: ChannelStats, floor: readonly number[]): number[] {
  const out: number[] = [];
  floor.forEach((f, c) => {
    const s = stats.std[c];
    const m = stats.mean[c];
    if (!(typeof s === 'number' && Number.isFinite(s) && s >= f && Number.isFinite(m ?? NaN)))
      out.push(c + 1);
  });
  return out;
}

function describeFlat(stats: ChannelStats, flat: number[], floor: readonly number[]): string {
  return flat
    .map(
      (c) =>
        `channel ${c} std ${(stats.std[c - 1] ?? NaN).toFixed(2)} < floor ${floor[c - 1]!.toFixed(2)}`,
    )
    .join(', ');
}

type Level = 'per-experiment' | 'per-image';

/**
 * The plain stats table for a run's samples, with fallbacks: a plate whose negative controls are
 * flat or missing uses its experiment's stats; an experiment whose stats are flat (e.g. a
 * pixel_stats.csv with std 0) normalises each of its sites by the site's own stats, std floored.
 * Every fallback adds one line to `table.warnings`, naming the plate or experiment and why.
 */
export async function resolveStatsWithFallback(
  mode: Normalization,
  samples: readonly Pick<PipelineSample, 'experiment' | 'plate'>[],
  provider: StatsProvider,
  signal?: AbortSignal,
): Promise<StatsTable> {
  const table: Required<StatsTable> = {
    experiments: {},
    plateControls: {},
    perImage: [],
    stdFloor: [],
    warnings: [],
  };
  if (mode !== 'per-experiment' && mode !== 'per-plate-controls') return {};
  const experiments = [...new Set(samples.map((s) => s.experiment))];
  const expStats = new Map<string, ChannelStats>();
  const experimentStats = async (e: string): Promise<ChannelStats> => {
    let st = expStats.get(e);
    if (!st) expStats.set(e, (st = await provider.experiment(e, signal)));
    return st;
  };

  // Experiments: usable, or per-image (their sites normalised by their own stats).
  const expLevel = new Map<string, Level>();
  const resolveExperiments = async (names: string[], floor: number[] | null): Promise<void> => {
    const stats = await Promise.all(names.map((e) => experimentStats(e)));
    const f = floor ?? stdFloor(stats);
    if (!floor) table.stdFloor = f;
    names.forEach((e, i) => {
      const flat = flatChannels(stats[i]!, f);
      if (flat.length === 0) {
        expLevel.set(e, 'per-experiment');
        table.experiments[e] = stats[i]!;
      } else {
        expLevel.set(e, 'per-image');
        table.warnings.push(
          `${e}: experiment stats are unusable (${describeFlat(stats[i]!, flat, f)}); its sites are normalised per image instead`,
        );
      }
    });
  };

  if (mode === 'per-experiment') {
    await resolveExperiments(experiments, null);
    table.perImage = experiments.filter((e) => expLevel.get(e) === 'per-image');
    return table;
  }

  const plates = [...new Set(samples.map((s) => `${s.experiment}/${s.plate}`))];
  const control = new Map<string, ChannelStats | string>();
  for (const key of plates) {
    const cut = key.lastIndexOf('/');
    const [e, p] = [key.slice(0, cut), Number(key.slice(cut + 1))];
    try {
      control.set(key, await provider.plateControls(e, p, signal));
    } catch (err) {
      if (!(err instanceof PlateLabError && err.code === 'NOT_FOUND')) throw err;
      control.set(key, 'has no negative-control well with images');
    }
  }
  const found = [...control.values()].filter((v): v is ChannelStats => typeof v !== 'string');
  const floor = stdFloor(found);
  table.stdFloor = floor;
  const fallBack: string[] = [];
  for (const key of plates) {
    const st = control.get(key)!;
    const flat = typeof st === 'string' ? [] : flatChannels(st, floor);
    if (typeof st !== 'string' && flat.length === 0) {
      table.plateControls[key] = st;
      continue;
    }
    fallBack.push(key);
    const [e, p] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
    const why =
      typeof st === 'string' ? st : `negative controls are flat (${describeFlat(st, flat, floor)})`;
    table.warnings.push(
      `${e} plate ${p}: ${why}; normalised with per-experiment stats instead of per-plate-controls`,
    );
  }
  const needed = [...new Set(fallBack.map((k) => k.slice(0, k.lastIndexOf('/'))))];
  await resolveExperiments(needed, floor);
  for (const key of fallBack) {
    const e = key.slice(0, key.lastIndexOf('/'));
    if (expLevel.get(e) === 'per-experiment') table.plateControls[key] = table.experiments[e]!;
    else table.perImage.push(key);
  }
  table.experiments = {};
  return table;
}

/**
 * The stats one site is normalised with under `mode` (null for 'none'): the table's entry for its
 * experiment or plate, or the site's own stats for 'per-image' and for entries that fell back to it
 * (std raised to the table's floor so a near-flat channel is not blown up to unit variance).
 * Throws VALIDATION when the table has no entry for the site.
 */
export function siteStats(
  mode: Normalization,
  table: StatsTable,
  site: { experiment: string; plate: number; key: string },
  data: Uint8Array,
): ChannelStats | null {
  if (mode === 'none') return null;
  if (mode === 'per-image') return channelStats(data);
  const key = mode === 'per-experiment' ? site.experiment : `${site.experiment}/${site.plate}`;
  if (table.perImage?.includes(key)) {
    const own = channelStats(data);
    const floor = table.stdFloor ?? [];
    return { mean: own.mean, std: own.std.map((s, c) => Math.max(s, floor[c] ?? MIN_STD)) };
  }
  const st = mode === 'per-experiment' ? table.experiments?.[key] : table.plateControls?.[key];
  if (!st)
    throw new PlateLabError(
      'VALIDATION',
      mode === 'per-experiment'
        ? `no per-experiment stats for ${site.experiment}`
        : `no negative-control stats for ${site.experiment} plate ${site.plate}`,
    );
  return st;
}
