// Reads the sites the learner needs straight from the catalog schema (migration 1): one row per
// site with its labels and 6 channel paths, plus the dataset root the paths are relative to.
import type { Catalog } from '../../catalog/db';
import { notFound } from '../../errors';

export interface SiteRow {
  split: 'train' | 'test';
  experiment: string;
  cellType: string;
  plate: number;
  well: string;
  idCode: string;
  site: number;
  wellType: 'treatment' | 'positive_control' | 'negative_control' | 'unknown';
  sirna: string | null;
  sirnaId: number | null;
  /** Channel 1..6 paths relative to the dataset root. */
  paths: string[];
  /** All 6 channel images present and readable. */
  complete: boolean;
}

interface RawRow {
  split: 'train' | 'test';
  experiment: string;
  cellType: string;
  plate: number;
  well: string;
  idCode: string;
  site: number;
  wellType: SiteRow['wellType'];
  sirna: string | null;
  sirnaId: number | null;
  channel: number | null;
  path: string | null;
  ok: number | null;
}

export function datasetRoot(db: Catalog, dbFile: string): string {
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'root'`).get() as
    | { value: string }
    | undefined;
  if (!row)
    throw notFound(`${dbFile}: catalog has no dataset root (meta 'root'); index a dataset first`);
  return row.value;
}

/** All sites of the catalog (optionally one split), ordered by experiment, plate, well, site. */
export function loadSiteRows(db: Catalog, split?: 'train' | 'test'): SiteRow[] {
  const rows = db
    .prepare(
      `SELECT e.split AS split, e.name AS experiment, e.cell_type AS cellType, p.plate AS plate,
              w.well AS well, w.id_code AS idCode, s.site AS site, w.well_type AS wellType,
              w.sirna AS sirna, w.sirna_id AS sirnaId, i.channel AS channel, i.path AS path, i.ok AS ok
         FROM sites s
         JOIN wells w ON w.id = s.well_id
         JOIN plates p ON p.id = w.plate_id
         JOIN experiments e ON e.id = p.experiment_id
         LEFT JOIN images i ON i.site_id = s.id
        ${split ? 'WHERE e.split = ?' : ''}
        ORDER BY e.name, p.plate, w.row, w.col, s.site, i.channel`,
    )
    .all(...(split ? [split] : [])) as RawRow[];
  const out: SiteRow[] = [];
  let cur: SiteRow | null = null;
  let okCount = 0;
  const flush = (): void => {
    if (cur) {
      cur.complete = okCount === 6 && cur.paths.every((p) => p !== '');
      out.push(cur);
    }
  };
  for (const r of rows) {
    if (!cur || cur.idCode !== r.idCode || cur.site !== r.site) {
      flush();
      okCount = 0;
      cur = {
        split: r.split,
        experiment: r.experiment,
        cellType: r.cellType,
        plate: r.plate,
        well: r.well,
        idCode: r.idCode,
        site: r.site,
        wellType: r.wellType,
        sirna: r.sirna,
        sirnaId: r.sirnaId,
        paths: ['', '', '', '', '', ''],
        complete: false,
      };
    }
    if (r.channel !== null && r.channel >= 1 && r.channel <= 6 && r.path !== null) {
      cur.paths[r.channel - 1] = r.path;
      if (r.ok) okCount++;
    }
  }
  flush();
  return out;
}
