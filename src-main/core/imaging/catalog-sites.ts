// Read-only catalog queries imaging needs: the complete 6-channel sites of a plate, of an
// experiment or of its control wells, with their image paths (relative to the dataset root).
import type { Catalog } from '../catalog/db';
import { CHANNELS } from '../dataset/plate';
import { notFound } from '../errors';

export interface CatalogSite {
  experiment: string;
  plate: number;
  well: string;
  row: number;
  col: number;
  site: number;
  wellType: string;
  /** Channel 1..6 paths relative to the dataset root. */
  relPaths: string[];
}

export interface SiteFilter {
  experiment: string;
  plate?: number;
  site?: number;
  wellType?: string;
}

interface Row {
  plate: number;
  well: string;
  row: number;
  col: number;
  site: number;
  well_type: string;
  channel: number;
  path: string;
}

/** Sites with all 6 channel images present and readable, ordered by plate, row, column, site. */
export function catalogSites(db: Catalog, filter: SiteFilter): CatalogSite[] {
  const exp = db.prepare('SELECT id FROM experiments WHERE name = ?').get(filter.experiment) as
    | { id: number }
    | undefined;
  if (!exp) throw notFound(`experiment ${filter.experiment} is not in the catalog`);
  const where = ['p.experiment_id = ?', 'i.ok = 1'];
  const args: Array<string | number> = [exp.id];
  const add = (clause: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    where.push(clause);
    args.push(value);
  };
  add('p.plate = ?', filter.plate);
  add('s.site = ?', filter.site);
  add('w.well_type = ?', filter.wellType);
  const rows = db
    .prepare(
      `SELECT p.plate, w.well, w.row, w.col, s.site, w.well_type, i.channel, i.path
       FROM images i JOIN sites s ON s.id = i.site_id JOIN wells w ON w.id = s.well_id
       JOIN plates p ON p.id = w.plate_id
       WHERE ${where.join(' AND ')}
       ORDER BY p.plate, w.row, w.col, s.site, i.channel`,
    )
    .all(...args) as Row[];
  const out: CatalogSite[] = [];
  let cur: CatalogSite | null = null;
  for (const r of rows) {
    if (!cur || cur.plate !== r.plate || cur.well !== r.well || cur.site !== r.site) {
      cur = {
        experiment: filter.experiment,
        plate: r.plate,
        well: r.well,
        row: r.row,
        col: r.col,
        site: r.site,
        wellType: r.well_type,
        relPaths: new Array<string>(CHANNELS).fill(''),
      };
      out.push(cur);
    }
    if (r.channel >= 1 && r.channel <= CHANNELS) cur.relPaths[r.channel - 1] = r.path;
  }
  return out.filter((s) => s.relPaths.every((p) => p !== ''));
}

/** `count` items spread evenly over the list (all of it when shorter): deterministic sampling. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}
