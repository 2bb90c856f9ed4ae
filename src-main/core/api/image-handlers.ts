// Image calls: default and auto-contrast display states, plate thumbnail sprites and rendered site
// PNGs. Rendered files live in the data folder's cache (one folder per dataset) and go out as URLs.
import path from 'node:path';
import type { AppContext, OpenDataset } from '../app/app-context';
import { relUnder } from '../app/media';
import { wellDetail } from '../catalog/queries';
import { CHANNELS } from '../dataset/plate';
import { inputError } from '../errors';
import { catalogSites, spread } from '../imaging/catalog-sites';
import {
  autoContrast,
  channelHistograms,
  rxrx1DefaultDisplay,
  type DisplayState,
} from '../imaging/display';
import { loadRawSite } from '../imaging/load-site';
import { plateSprite, sitePng } from '../imaging/thumbnails';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';

/** Sites pooled for a plate or experiment auto-contrast: enough for stable percentiles, still fast. */
const AUTO_SAMPLE_SITES = 12;

export function datasetCacheDir(ctx: AppContext, ds: OpenDataset): string {
  return path.join(ctx.layout.cache, path.basename(ds.dbFile).replace(/\.sqlite$/, ''));
}

function siteRelPaths(ds: OpenDataset, idCode: string, site: number): string[] {
  const d = wellDetail(ds.db, idCode);
  const s = d.sites.find((x) => x.site === site);
  if (!s) throw inputError(`well ${idCode} has no site ${site}`, { idCode, site });
  const paths = Array.from(
    { length: CHANNELS },
    (_, i) => s.channels.find((c) => c.channel === i + 1 && c.ok)?.path,
  );
  const missing = paths.flatMap((p, i) => (p ? [] : [i + 1]));
  if (missing.length)
    throw inputError(
      `well ${idCode} site ${site} lacks readable channel(s) ${missing.join(', ')}`,
      { idCode, site, missing },
    );
  return paths as string[];
}

async function pooledHistograms(ds: OpenDataset, sites: string[][]): Promise<Float64Array[]> {
  let hist: Float64Array[] | undefined;
  for (const rel of sites) {
    const raw = await loadRawSite(ds.root, rel);
    hist = channelHistograms(raw.data, hist);
  }
  if (!hist) throw inputError('no complete site to compute the contrast from');
  return hist;
}

type Names = 'display.default' | 'display.auto' | 'thumbnails.plate' | 'images.site';

export function imageHandlers(ctx: AppContext): HandlerGroup<Names> {
  return {
    'display.default': () => rxrx1DefaultDisplay(),
    'display.auto': async ({ source, idCode, site, experiment, plate, percentiles, base }) => {
      const ds = requireDataset(ctx);
      let sites: string[][];
      if (source === 'site') {
        if (!idCode) throw inputError('display.auto with source "site" needs idCode');
        sites = [siteRelPaths(ds, idCode, site ?? 1)];
      } else {
        if (!experiment) throw inputError(`display.auto with source "${source}" needs experiment`);
        if (source === 'plate' && plate === undefined)
          throw inputError('display.auto with source "plate" needs plate');
        const found =
          source === 'plate'
            ? catalogSites(ds.db, { experiment, plate, site: site ?? 1 })
            : catalogSites(ds.db, { experiment, wellType: 'negative_control' });
        sites = spread(found, AUTO_SAMPLE_SITES).map((s) => s.relPaths);
      }
      const hist = await pooledHistograms(ds, sites);
      return autoContrast(base as DisplayState, hist, percentiles);
    },
    'thumbnails.plate': async ({ experiment, plate, site, size, display }) => {
      const ds = requireDataset(ctx);
      const cacheDir = datasetCacheDir(ctx, ds);
      const sprite = await plateSprite({
        root: ds.root,
        db: ds.db,
        experiment,
        plate,
        site,
        size,
        display,
        cacheDir,
      });
      return {
        url: ctx.mediaUrl('cache', relUnder(ctx.layout.cache, sprite.file)),
        cell: sprite.cell,
        columns: sprite.columns,
        wells: sprite.wells,
        cached: sprite.cached,
      };
    },
    'images.site': async ({ idCode, site, display, size }) => {
      const ds = requireDataset(ctx);
      const relPaths = siteRelPaths(ds, idCode, site);
      const png = await sitePng({
        root: ds.root,
        relPaths,
        display,
        size,
        cacheDir: datasetCacheDir(ctx, ds),
      });
      if (!png.file) throw new Error('site PNG was not written to the cache');
      return {
        url: ctx.mediaUrl('cache', relUnder(ctx.layout.cache, png.file)),
        width: png.width,
        height: png.height,
      };
    },
  };
}
