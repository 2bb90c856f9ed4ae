// The sites imaging pools (stats, thumbnails, auto-contrast): the complete sites of an
// experiment, a plate or its control wells, through catalog/queries.ts (no SQL here).
import type { Catalog } from '../catalog/db';
import type { WellType } from '../../../src-shared/contract';
import { listSites, type SiteRow } from '../catalog/queries';

export interface SiteFilter {
  experiment: string;
  plate?: number;
  site?: number;
  wellType?: WellType;
}

/**
 * Complete sites (catalog/queries.ts `COMPLETE_SITE`) matching the filter, ordered by plate, row,
 * column, site; `paths` are the six channel images relative to the dataset root. Throws NOT_FOUND
 * for an experiment not in the catalog.
 */
export function catalogSites(db: Catalog, filter: SiteFilter): SiteRow[] {
  return listSites(db, {
    experiments: [filter.experiment],
    plate: filter.plate,
    site: filter.site,
    wellTypes: filter.wellType === undefined ? undefined : [filter.wellType],
    completeOnly: true,
  });
}

/** `count` items spread evenly over the list (all of it when shorter): deterministic sampling. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}
