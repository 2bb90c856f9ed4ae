// Normalisation stats per experiment and per plate's negative controls, from the catalog:
// per-experiment prefers pixel_stats rows from the CSV (source 'csv'), else computes them from a
// spread of the experiment's sites and stores them (source 'computed'); plate controls are
// computed from the plate's negative-control wells and cached (memory + imaging_norm_stats); per-well
// channel means of a plate (the intensity heatmap) computed from its images when pixel_stats.csv has
// none, cached as 'computed' pixel_stats rows under the digest of the images they came from.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/db';
import { readMeta, writeMeta } from '../catalog/meta';
import { CHANNELS } from '../dataset/plate';
import { notFound, PlateLabError, throwIfCancelled } from '../errors';
import type { SiteRow } from '../catalog/queries';
import { catalogSites, spread } from './catalog-sites';
import { loadRawSite } from './load-site';
import {
  accumulate,
  finish,
  newAccumulator,
  type ChannelStats,
  type Normalization,
} from './normalize';

export interface StatsProviderOptions {
  root: string;
  db: Catalog;
  /** Most sites decoded to compute an experiment's stats (evenly spread). Default 64. */
  maxSites?: number;
  /** Decode at this size when computing (stats barely move with downscaling). Default native. */
  size?: number;
}

export interface StatsProvider {
  /** Stats for a normalisation mode; undefined for 'none' and 'per-image' (the site's own). */
  forSite(
    mode: Normalization,
    site: { experiment: string; plate: number },
    signal?: AbortSignal,
  ): Promise<ChannelStats | undefined>;
  experiment(experiment: string, signal?: AbortSignal): Promise<ChannelStats>;
  plateControls(experiment: string, plate: number, signal?: AbortSignal): Promise<ChannelStats>;
  /**
   * Mean grey level (0–255) per channel of each well of a plate with images, averaged over its
   * complete sites, computed from the images (at `size` when set) and cached; `sites` = how many.
   */
  plateWellMeans(
    experiment: string,
    plate: number,
    opts?: WellMeansOptions,
  ): Promise<WellMeans | null>;
}

export interface WellMeansOptions {
  signal?: AbortSignal;
  /** Sites decoded so far, of all; called after each. */
  onProgress?: (done: number, total: number, message: string) => void;
  /** Only what is cached for the current images: null when they would have to be decoded. */
  cachedOnly?: boolean;
}

export interface WellMeans {
  /** well name → 6 channel means (0–255 grey levels). */
  means: Map<string, Array<number | null>>;
  sites: number;
}

export function createStatsProvider(opts: StatsProviderOptions): StatsProvider {
  const { db, root } = opts;
  const maxSites = opts.maxSites ?? 64;
  const memo = new Map<string, Promise<unknown>>();

  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      memo.set(key, p);
      p.catch(() => memo.delete(key));
    }
    return p;
  };

  const experimentId = (name: string): number => {
    const row = db.prepare('SELECT id FROM experiments WHERE name = ?').get(name) as
      | { id: number }
      | undefined;
    if (!row) throw notFound(`experiment ${name} is not in the catalog`);
    return row.id;
  };

  async function computeFrom(sites: SiteRow[], signal?: AbortSignal): Promise<ChannelStats> {
    const acc = newAccumulator();
    for (const s of sites) {
      throwIfCancelled(signal);
      const raw = await loadRawSite(root, s.paths, { size: opts.size, signal });
      accumulate(acc, raw.data);
    }
    return finish(acc);
  }

  /** Digest of the images behind a stat: path, size and mtime of every file. */
  function digestOf(sites: SiteRow[]): string {
    const h = crypto.createHash('sha1');
    for (const s of sites) {
      for (const p of s.paths) {
        const st = statOrNull(path.resolve(root, p));
        h.update(`${p}\0${st?.size ?? -1}\0${st?.mtimeMs ?? -1}\n`);
      }
    }
    return h.digest('hex');
  }

  function cached(
    scope: string,
    experiment: string,
    plate: number,
    digest: string,
  ): ChannelStats | null {
    if (!hasTable(db, 'imaging_norm_stats')) return null;
    const row = db
      .prepare(
        'SELECT digest, stats FROM imaging_norm_stats WHERE scope = ? AND experiment = ? AND plate = ?',
      )
      .get(scope, experiment, plate) as { digest: string; stats: string } | undefined;
    if (!row || row.digest !== digest) return null;
    return JSON.parse(row.stats) as ChannelStats;
  }

  function store(
    scope: string,
    experiment: string,
    plate: number,
    digest: string,
    sites: number,
    stats: ChannelStats,
  ): void {
    tryWrite(() =>
      db
        .prepare(
          `INSERT OR REPLACE INTO imaging_norm_stats (scope, experiment, plate, digest, sites, stats, computed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          scope,
          experiment,
          plate,
          digest,
          sites,
          JSON.stringify(stats),
          new Date().toISOString(),
        ),
    );
  }

  function csvStats(expId: number): { mean: number[]; std: (number | null)[] } | null {
    const rows = db
      .prepare(
        `SELECT channel, AVG(mean) AS mean, COUNT(std) AS nstd, COUNT(*) AS n,
                AVG(std * std + mean * mean) AS m2
         FROM pixel_stats WHERE experiment_id = ? AND source = 'csv' GROUP BY channel`,
      )
      .all(expId) as Array<{
      channel: number;
      mean: number;
      nstd: number;
      n: number;
      m2: number | null;
    }>;
    if (rows.length === 0) return null;
    const mean: number[] = [];
    const std: (number | null)[] = [];
    for (let c = 1; c <= CHANNELS; c++) {
      const r = rows.find((x) => x.channel === c);
      if (!r) return null;
      mean.push(r.mean);
      // Pooled std over images: E[v²] − E[v]², with E[v²] = mean(std² + mean²) per image.
      std.push(
        r.nstd === r.n && r.m2 !== null ? Math.sqrt(Math.max(0, r.m2 - r.mean * r.mean)) : null,
      );
    }
    return { mean, std };
  }

  function storedComputed(expId: number): ChannelStats | null {
    const rows = db
      .prepare(
        `SELECT channel, mean, std FROM pixel_stats WHERE experiment_id = ? AND source = 'computed'
         AND plate IS NULL AND well IS NULL AND site IS NULL ORDER BY channel`,
      )
      .all(expId) as Array<{ channel: number; mean: number; std: number | null }>;
    if (rows.length !== CHANNELS || rows.some((r, i) => r.channel !== i + 1 || r.std === null))
      return null;
    return { mean: rows.map((r) => r.mean), std: rows.map((r) => r.std!) };
  }

  function storeComputed(expId: number, stats: ChannelStats): void {
    tryWrite(() =>
      db.transaction(() => {
        db.prepare(
          `DELETE FROM pixel_stats WHERE experiment_id = ? AND source = 'computed'
           AND plate IS NULL AND well IS NULL AND site IS NULL`,
        ).run(expId);
        const ins = db.prepare(
          `INSERT INTO pixel_stats (experiment_id, plate, well, site, channel, mean, std, source)
           VALUES (?, NULL, NULL, NULL, ?, ?, ?, 'computed')`,
        );
        for (let c = 0; c < CHANNELS; c++) ins.run(expId, c + 1, stats.mean[c], stats.std[c]);
      })(),
    );
  }

  const experiment = (name: string, signal?: AbortSignal): Promise<ChannelStats> =>
    once(`exp:${name}`, async () => {
      const expId = experimentId(name);
      const csv = csvStats(expId);
      if (csv && csv.std.every((s) => s !== null))
        return { mean: csv.mean, std: csv.std as number[] };
      let computed = storedComputed(expId);
      if (!computed) {
        const sites = spread(catalogSites(db, { experiment: name }), maxSites);
        if (sites.length === 0)
          throw notFound(`experiment ${name} has no complete sites to compute stats from`);
        computed = await computeFrom(sites, signal);
        storeComputed(expId, computed);
      }
      // The CSV mean is authoritative when present; its std may be missing (only mean is confirmed).
      return csv ? { mean: csv.mean, std: computed.std } : computed;
    });

  const plateControls = (
    name: string,
    plate: number,
    signal?: AbortSignal,
  ): Promise<ChannelStats> =>
    once(`ctl:${name}:${plate}`, async () => {
      const sites = catalogSites(db, { experiment: name, plate, wellType: 'negative_control' });
      if (sites.length === 0) {
        throw new PlateLabError(
          'NOT_FOUND',
          `plate ${plate} of ${name} has no negative-control well with images; per-plate-controls normalisation needs one`,
        );
      }
      const digest = digestOf(sites);
      const hit = cached('plate-controls', name, plate, digest);
      if (hit) return hit;
      const stats = await computeFrom(sites, signal);
      store('plate-controls', name, plate, digest, sites.length, stats);
      return stats;
    });

  const wellMeansKey = (name: string, plate: number) =>
    `well_means_digest:${name}:${plate}` as const;

  const plateWellMeans = async (
    name: string,
    plate: number,
    o: WellMeansOptions = {},
  ): Promise<WellMeans | null> => {
    const expId = experimentId(name);
    const sites = catalogSites(db, { experiment: name, plate });
    if (sites.length === 0) return { means: new Map(), sites: 0 };
    const digest = digestOf(sites);
    if (readMeta(db, wellMeansKey(name, plate)) === digest) {
      const stored = storedWellMeans(db, name, plate, 'computed');
      if (stored.size > 0) return { means: stored, sites: sites.length };
    }
    if (o.cachedOnly) return null;
    return once(`wells:${name}:${plate}:${digest}`, async () => {
      const signal = o.signal;
      const perSite: Array<{ site: SiteRow; stats: ChannelStats }> = [];
      for (const s of sites) {
        throwIfCancelled(signal);
        const raw = await loadRawSite(root, s.paths, { size: opts.size, signal });
        const acc = newAccumulator();
        accumulate(acc, raw.data);
        perSite.push({ site: s, stats: finish(acc) });
        o.onProgress?.(perSite.length, sites.length, `${s.well} site ${s.site}`);
      }
      tryWrite(() =>
        db.transaction(() => {
          db.prepare(
            `DELETE FROM pixel_stats WHERE experiment_id = ? AND plate = ? AND well IS NOT NULL
             AND source = 'computed'`,
          ).run(expId, plate);
          const ins = db.prepare(
            `INSERT INTO pixel_stats (experiment_id, plate, well, site, channel, mean, std, source)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'computed')`,
          );
          for (const { site, stats } of perSite)
            for (let c = 0; c < CHANNELS; c++)
              ins.run(expId, plate, site.well, site.site, c + 1, stats.mean[c], stats.std[c]);
          writeMeta(db, wellMeansKey(name, plate), digest);
        })(),
      );
      const sums = new Map<string, { n: number; sum: number[] }>();
      for (const { site, stats } of perSite) {
        let e = sums.get(site.well);
        if (!e) sums.set(site.well, (e = { n: 0, sum: new Array<number>(CHANNELS).fill(0) }));
        e.n++;
        stats.mean.forEach((m, c) => (e.sum[c]! += m));
      }
      const means = new Map([...sums].map(([w, e]) => [w, e.sum.map((v) => v / e.n)]));
      return { means, sites: sites.length };
    });
  };

  return {
    experiment,
    plateControls,
    plateWellMeans,
    async forSite(mode, site, signal) {
      if (mode === 'per-experiment') return experiment(site.experiment, signal);
      if (mode === 'per-plate-controls') return plateControls(site.experiment, site.plate, signal);
      return undefined;
    },
  };
}

/**
 * well name → mean grey level (0–255) per channel 1–6 from a plate's pixel_stats rows of one source
 * ('csv' from pixel_stats.csv, 'computed' from the images), averaged over sites; null for a channel
 * without a row. Empty when the plate has none.
 */
export function storedWellMeans(
  db: Catalog,
  experiment: string,
  plate: number,
  source: 'csv' | 'computed',
): Map<string, Array<number | null>> {
  const rows = db
    .prepare(
      `SELECT ps.well, ps.channel, AVG(ps.mean) AS mean FROM pixel_stats ps
       JOIN experiments e ON e.id = ps.experiment_id
       WHERE e.name = ? AND ps.plate = ? AND ps.well IS NOT NULL AND ps.source = ?
       GROUP BY ps.well, ps.channel`,
    )
    .all(experiment, plate, source) as Array<{ well: string; channel: number; mean: number }>;
  const out = new Map<string, Array<number | null>>();
  for (const r of rows) {
    if (r.channel < 1 || r.channel > CHANNELS) continue;
    let v = out.get(r.well);
    if (!v) out.set(r.well, (v = new Array<number | null>(CHANNELS).fill(null)));
    v[r.channel - 1] = r.mean;
  }
  return out;
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

function hasTable(db: Catalog, name: string): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  );
}

/** Caching is best effort: a read-only catalog still gets stats, just not stored. */
function tryWrite(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Error && /readonly|read-only|no such table/i.test(err.message))) throw err;
  }
}
