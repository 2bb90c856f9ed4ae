// Image calls: default and auto-contrast display states, plate thumbnail sprites and rendered site
// PNGs. Rendered files live in the data folder's cache (one folder per dataset) and go out as URLs.
import path from 'node:path';
import type { AppContext, OpenDataset } from '../app/app-context';
import { relUnder } from '../app/media';
import { wellDetail } from '../catalog/queries';
import { CHANNELS } from '../dataset/plate';
import { inputError } from '../errors';
import { autoContrastFor, type AutoContrastSource } from '../imaging/auto-contrast';
import { rxrx1DefaultDisplay } from '../imaging/display';
import { plateSprite, sitePng } from '../imaging/thumbnails';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';

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

type Names = 'display.default' | 'display.auto' | 'thumbnails.plate' | 'images.site';

export function imageHandlers(ctx: AppContext): HandlerGroup<Names> {
  return {
    'display.default': () => rxrx1DefaultDisplay(),
    'display.auto': async ({ source, idCode, site, experiment, plate, percentiles, base }) => {
      const ds = requireDataset(ctx);
      let src: AutoContrastSource;
      if (source === 'site') {
        if (!idCode) throw inputError('display.auto with source "site" needs idCode');
        src = { source, relPaths: siteRelPaths(ds, idCode, site ?? 1) };
      } else if (source === 'plate') {
        if (!experiment || plate === undefined)
          throw inputError('display.auto with source "plate" needs experiment and plate');
        src = { source, experiment, plate, site };
      } else {
        if (!experiment)
          throw inputError('display.auto with source "experiment-controls" needs experiment');
        src = { source, experiment };
      }
      return autoContrastFor(src, { root: ds.root, db: ds.db, base, percentiles });
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
