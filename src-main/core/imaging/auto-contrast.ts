// Auto-contrast from the catalog: pooled per-channel histograms of one site, a whole plate, or an
// experiment's control wells, turned into display ranges by percentiles (see display.ts).
import type { Catalog } from '../catalog/db';
import { inputError, throwIfCancelled } from '../errors';
import type { SiteRow } from '../catalog/queries';
import { catalogSites, spread } from './catalog-sites';
import { autoContrast, channelHistograms, type DisplayState } from './display';
import { loadRawSite } from './load-site';

export type AutoContrastSource =
  | { source: 'site'; relPaths: string[] }
  | { source: 'plate'; experiment: string; plate: number; site?: number }
  | { source: 'experiment-controls'; experiment: string };

export interface AutoContrastOptions {
  root: string;
  db?: Catalog;
  base: DisplayState;
  percentiles?: [number, number];
  /** Most sites sampled for plate/experiment sources (evenly spread). Default 48. */
  maxSites?: number;
  /** Decode size for pooled sources (percentiles barely move when downscaled). Default 128. */
  size?: number;
  signal?: AbortSignal;
}

export async function autoContrastFor(
  src: AutoContrastSource,
  opts: AutoContrastOptions,
): Promise<DisplayState> {
  let sites: Array<Pick<SiteRow, 'paths'>>;
  let size: number | undefined = opts.size ?? 128;
  if (src.source === 'site') {
    sites = [{ paths: src.relPaths }];
    size = undefined;
  } else {
    if (!opts.db) throw inputError(`auto-contrast from ${src.source} needs the catalog`);
    const all =
      src.source === 'plate'
        ? catalogSites(opts.db, {
            experiment: src.experiment,
            plate: src.plate,
            site: src.site ?? 1,
          })
        : catalogSites(opts.db, { experiment: src.experiment }).filter((s) =>
            s.wellType.endsWith('_control'),
          );
    sites = spread(all, opts.maxSites ?? 48);
    if (sites.length === 0)
      throw inputError(`no sites with images for auto-contrast (${src.source})`);
  }
  const hist = Array.from({ length: 6 }, () => new Float64Array(256));
  for (const s of sites) {
    throwIfCancelled(opts.signal);
    const raw = await loadRawSite(opts.root, s.paths, { size, signal: opts.signal });
    channelHistograms(raw.data, hist);
  }
  return autoContrast(opts.base, hist, opts.percentiles ?? [1, 99]);
}
