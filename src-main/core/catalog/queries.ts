// Typed read functions over the catalog for the API, imaging and learning code. Paths returned are
// relative to the dataset root (meta 'root'); row types are exported for callers.
import type { Catalog } from './db';
import { notFound } from '../errors';
import type { Split } from '../dataset/layout';
import { CHANNELS } from '../dataset/plate';
import { catalogCounts, type CatalogCounts } from './counts';

export type CatalogWellType = 'treatment' | 'positive_control' | 'negative_control' | 'unknown';

export interface PlateSummaryRow {
  experiment: string;
  split: Split;
  cellType: string;
  plate: number;
  /** Wells known from metadata or images. */
  wells: number;
  /** Sites with at least one image on disk. */
  sites: number;
  images: number;
  hasImages: boolean;
}

export interface DatasetSummaryRow {
  root: string | null;
  format: string;
  indexedAt: string | null;
  counts: CatalogCounts;
  plates: PlateSummaryRow[];
}

export interface ExperimentRow {
  name: string;
  split: Split;
  cellType: string;
  batch: number | null;
  plates: number;
  platesWithImages: number;
  wells: number;
  sites: number;
  images: number;
}

export interface PlateWellRow {
  well: string;
  row: number;
  col: number;
  idCode: string;
  wellType: CatalogWellType;
  sirna: string | null;
  sirnaId: number | null;
  inMetadata: boolean;
  /** Sites with at least one image. */
  sites: number;
  hasImages: boolean;
  /** Some site of the well lacks a channel or has an unreadable image. */
  broken: boolean;
}

export interface PlateWellsResult {
  experiment: string;
  plate: number;
  split: Split;
  cellType: string;
  wells: PlateWellRow[];
}

export interface ChannelImageRow {
  channel: number;
  path: string;
  ok: boolean;
  width: number | null;
  height: number | null;
  bitDepth: number | null;
}

export interface WellDetailRow {
  well: PlateWellRow;
  experiment: string;
  plate: number;
  split: Split;
  cellType: string;
  sites: Array<{
    site: number;
    channels: ChannelImageRow[];
    complete: boolean;
    error: string | null;
  }>;
}

export interface SiteFilter {
  split?: Split;
  experiments?: string[];
  wellTypes?: CatalogWellType[];
  /** Only sites with all six channels present and readable. */
  completeOnly?: boolean;
}

export interface SiteRow {
  siteId: number;
  wellId: number;
  idCode: string;
  split: Split;
  experiment: string;
  cellType: string;
  plate: number;
  well: string;
  site: number;
  wellType: CatalogWellType;
  sirna: string | null;
  sirnaId: number | null;
  /** Six relative paths, channel 1 first; '' where the channel is missing. */
  paths: string[];
  complete: boolean;
}

export interface ProblemRow {
  kind: string;
  path: string;
  message: string;
  /** Items this entry stands for (> 1 for per-plate summaries). */
  count: number;
}

export interface ProblemFilter {
  kind?: string;
  search?: string;
  offset?: number;
  limit?: number;
}

export interface ProblemsResult {
  /** Entries matching the filter (for paging). */
  total: number;
  /** Items matching the filter, summaries counted by what they stand for. */
  totalCount: number;
  /** Per kind over all problems: exact item counts. */
  kinds: Array<{ kind: string; count: number }>;
  items: ProblemRow[];
}

function meta(db: Catalog, key: string): string | null {
  return (
    (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value ?? null
  );
}

const PLATE_STATS = `
  SELECT e.name AS experiment, e.split, e.cell_type AS cellType, p.plate,
         (SELECT COUNT(*) FROM wells w WHERE w.plate_id = p.id) AS wells,
         (SELECT COUNT(*) FROM sites s JOIN wells w ON w.id = s.well_id WHERE w.plate_id = p.id) AS sites,
         (SELECT COALESCE(SUM(s.channels), 0) FROM sites s JOIN wells w ON w.id = s.well_id WHERE w.plate_id = p.id) AS images
  FROM plates p JOIN experiments e ON e.id = p.experiment_id`;

type RawPlate = Omit<PlateSummaryRow, 'hasImages'>;

function plateRow(r: RawPlate): PlateSummaryRow {
  return { ...r, hasImages: r.images > 0 };
}

export function datasetSummary(db: Catalog): DatasetSummaryRow {
  return {
    root: meta(db, 'root'),
    format: meta(db, 'format') ?? 'none',
    indexedAt: meta(db, 'indexed_at'),
    counts: catalogCounts(db),
    plates: listPlates(db),
  };
}

export function listExperiments(db: Catalog): ExperimentRow[] {
  const rows = db
    .prepare(
      `SELECT e.name, e.split, e.cell_type AS cellType, e.batch,
              COUNT(DISTINCT p.id) AS plates,
              COUNT(DISTINCT CASE WHEN w.has_images = 1 THEN p.id END) AS platesWithImages,
              COUNT(w.id) AS wells,
              COALESCE((SELECT COUNT(*) FROM sites s JOIN wells w2 ON w2.id = s.well_id JOIN plates p2 ON p2.id = w2.plate_id WHERE p2.experiment_id = e.id), 0) AS sites,
              COALESCE((SELECT SUM(s.channels) FROM sites s JOIN wells w2 ON w2.id = s.well_id JOIN plates p2 ON p2.id = w2.plate_id WHERE p2.experiment_id = e.id), 0) AS images
       FROM experiments e LEFT JOIN plates p ON p.experiment_id = e.id LEFT JOIN wells w ON w.plate_id = p.id
       GROUP BY e.id ORDER BY e.split DESC, e.name`,
    )
    .all() as ExperimentRow[];
  return rows;
}

export function listPlates(
  db: Catalog,
  filter: { experiment?: string; withImages?: boolean } = {},
): PlateSummaryRow[] {
  const where = filter.experiment !== undefined ? ' WHERE e.name = ?' : '';
  const args = filter.experiment !== undefined ? [filter.experiment] : [];
  const rows = (
    db
      .prepare(`${PLATE_STATS}${where} ORDER BY e.split DESC, e.name, p.plate`)
      .all(...args) as RawPlate[]
  ).map(plateRow);
  return filter.withImages ? rows.filter((r) => r.hasImages) : rows;
}

interface RawWell {
  id: number;
  well: string;
  row: number;
  col: number;
  id_code: string;
  well_type: CatalogWellType;
  sirna: string | null;
  sirna_id: number | null;
  in_metadata: number;
  has_images: number;
  sites: number;
  broken: number;
}

const WELL_COLUMNS = `w.id, w.well, w.row, w.col, w.id_code, w.well_type, w.sirna, w.sirna_id, w.in_metadata, w.has_images,
  (SELECT COUNT(*) FROM sites s WHERE s.well_id = w.id) AS sites,
  EXISTS (SELECT 1 FROM sites s WHERE s.well_id = w.id AND (s.channels < ${CHANNELS}
          OR EXISTS (SELECT 1 FROM images i WHERE i.site_id = s.id AND i.ok = 0))) AS broken`;

function wellRow(r: RawWell): PlateWellRow {
  return {
    well: r.well,
    row: r.row,
    col: r.col,
    idCode: r.id_code,
    wellType: r.well_type,
    sirna: r.sirna,
    sirnaId: r.sirna_id,
    inMetadata: r.in_metadata === 1,
    sites: r.sites,
    hasImages: r.has_images === 1,
    broken: r.broken === 1,
  };
}

interface PlateHead {
  id: number;
  experiment: string;
  plate: number;
  split: Split;
  cellType: string;
}

export function plateWells(db: Catalog, experiment: string, plate: number): PlateWellsResult {
  const head = db
    .prepare(
      `SELECT p.id, e.name AS experiment, p.plate, e.split, e.cell_type AS cellType
       FROM plates p JOIN experiments e ON e.id = p.experiment_id WHERE e.name = ? AND p.plate = ?`,
    )
    .get(experiment, plate) as PlateHead | undefined;
  if (!head) throw notFound(`plate ${experiment} ${plate} is not in the catalog`);
  const wells = (
    db
      .prepare(`SELECT ${WELL_COLUMNS} FROM wells w WHERE w.plate_id = ? ORDER BY w.row, w.col`)
      .all(head.id) as RawWell[]
  ).map(wellRow);
  return {
    experiment: head.experiment,
    plate: head.plate,
    split: head.split,
    cellType: head.cellType,
    wells,
  };
}

export function wellDetail(db: Catalog, idCode: string): WellDetailRow {
  const raw = db
    .prepare(
      `SELECT ${WELL_COLUMNS}, e.name AS experiment, p.plate, e.split, e.cell_type AS cellType
       FROM wells w JOIN plates p ON p.id = w.plate_id JOIN experiments e ON e.id = p.experiment_id
       WHERE w.id_code = ?`,
    )
    .get(idCode) as (RawWell & Omit<PlateHead, 'id'>) | undefined;
  if (!raw) throw notFound(`well ${idCode} is not in the catalog`);
  const images = db
    .prepare(
      `SELECT s.site, i.channel, i.path, i.ok, i.width, i.height, i.bit_depth AS bitDepth
       FROM sites s JOIN images i ON i.site_id = s.id WHERE s.well_id = ? ORDER BY s.site, i.channel`,
    )
    .all(raw.id) as Array<Omit<ChannelImageRow, 'ok'> & { site: number; ok: number }>;
  const bySite = new Map<number, ChannelImageRow[]>();
  for (const im of images) {
    let list = bySite.get(im.site);
    if (!list) bySite.set(im.site, (list = []));
    list.push({
      channel: im.channel,
      path: im.path,
      ok: im.ok === 1,
      width: im.width,
      height: im.height,
      bitDepth: im.bitDepth,
    });
  }
  const sites = [...bySite.entries()].map(([site, channels]) => {
    const missing = Array.from({ length: CHANNELS }, (_, i) => i + 1).filter(
      (c) => !channels.some((ch) => ch.channel === c),
    );
    const bad = channels.filter((c) => !c.ok).map((c) => c.channel);
    const errors = [
      ...(missing.length
        ? [`missing channel${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`]
        : []),
      ...(bad.length ? [`unreadable channel${bad.length > 1 ? 's' : ''} ${bad.join(', ')}`] : []),
    ];
    return {
      site,
      channels,
      complete: errors.length === 0,
      error: errors.length ? errors.join('; ') : null,
    };
  });
  return {
    well: wellRow(raw),
    experiment: raw.experiment,
    plate: raw.plate,
    split: raw.split,
    cellType: raw.cellType,
    sites,
  };
}

export function listSites(db: Catalog, filter: SiteFilter = {}): SiteRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.split) {
    where.push('e.split = ?');
    args.push(filter.split);
  }
  if (filter.experiments) {
    if (filter.experiments.length === 0) return [];
    where.push(`e.name IN (${filter.experiments.map(() => '?').join(', ')})`);
    args.push(...filter.experiments);
  }
  if (filter.wellTypes) {
    if (filter.wellTypes.length === 0) return [];
    where.push(`w.well_type IN (${filter.wellTypes.map(() => '?').join(', ')})`);
    args.push(...filter.wellTypes);
  }
  if (filter.completeOnly) where.push(`s.channels = ${CHANNELS}`);
  const rows = db
    .prepare(
      `SELECT s.id AS siteId, w.id AS wellId, w.id_code AS idCode, e.split, e.name AS experiment, e.cell_type AS cellType,
              p.plate, w.well, s.site, w.well_type AS wellType, w.sirna, w.sirna_id AS sirnaId,
              i.channel, i.path, i.ok
       FROM sites s JOIN wells w ON w.id = s.well_id JOIN plates p ON p.id = w.plate_id
       JOIN experiments e ON e.id = p.experiment_id JOIN images i ON i.site_id = s.id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY e.split DESC, e.name, p.plate, w.row, w.col, s.site, i.channel`,
    )
    .raw()
    .all(...args) as Array<
    [
      number,
      number,
      string,
      Split,
      string,
      string,
      number,
      string,
      number,
      CatalogWellType,
      string | null,
      number | null,
      number,
      string,
      number,
    ]
  >;
  const out: SiteRow[] = [];
  let cur: SiteRow | null = null;
  let okCount = 0;
  const finish = () => {
    if (cur) {
      cur.complete = okCount === CHANNELS && cur.paths.every((p) => p !== '');
      if (!filter.completeOnly || cur.complete) out.push(cur);
    }
  };
  for (const r of rows) {
    if (!cur || cur.siteId !== r[0]) {
      finish();
      cur = {
        siteId: r[0],
        wellId: r[1],
        idCode: r[2],
        split: r[3],
        experiment: r[4],
        cellType: r[5],
        plate: r[6],
        well: r[7],
        site: r[8],
        wellType: r[9],
        sirna: r[10],
        sirnaId: r[11],
        paths: Array<string>(CHANNELS).fill(''),
        complete: false,
      };
      okCount = 0;
    }
    if (r[12] >= 1 && r[12] <= CHANNELS) {
      cur.paths[r[12] - 1] = r[13];
      if (r[14] === 1) okCount++;
    }
  }
  finish();
  return out;
}

export function listProblems(db: Catalog, filter: ProblemFilter = {}): ProblemsResult {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.kind) {
    where.push('kind = ?');
    args.push(filter.kind);
  }
  if (filter.search) {
    where.push("(path LIKE ? ESCAPE '\\' OR message LIKE ? ESCAPE '\\')");
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    args.push(like, like);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const totals = db
    .prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(count), 0) AS c FROM problems ${clause}`)
    .get(...args) as { n: number; c: number };
  const items = db
    .prepare(
      `SELECT kind, path, message, count FROM problems ${clause} ORDER BY kind, path, id LIMIT ? OFFSET ?`,
    )
    .all(...args, filter.limit ?? 100, filter.offset ?? 0) as ProblemRow[];
  const kinds = db
    .prepare('SELECT kind, SUM(count) AS count FROM problems GROUP BY kind ORDER BY kind')
    .all() as Array<{ kind: string; count: number }>;
  return { total: totals.n, totalCount: totals.c, kinds, items };
}

/**
 * How the dataset writes siRNA labels (so how its submission must): 'integer' (2019 ids and the
 * 2020 sirna_id), 'string' (the re-release: 'sirna_250', 'UNTREATED'), 'mixed' (both: a
 * 'mixed-label-style' problem) or 'none' (no labels). Catalogs indexed before the label style
 * was stored fall back to their format, catalogs without one to the labels they hold.
 */
export function datasetLabelStyle(db: Catalog): 'integer' | 'string' | 'mixed' | 'none' {
  const stored = meta(db, 'label_style');
  if (stored === 'integer' || stored === 'string' || stored === 'mixed') return stored;
  const format = meta(db, 'format');
  if (format === 'rxrx1-strings') return 'string';
  if (format === 'rxrx1-2019' || format === 'rxrx1-2020') return 'integer';
  // No metadata record (a catalog written by other means): the labels themselves decide.
  const r = db
    .prepare(
      `SELECT EXISTS(SELECT 1 FROM wells WHERE sirna != '' AND sirna NOT GLOB '*[^0-9]*') AS ints,
              EXISTS(SELECT 1 FROM wells WHERE sirna GLOB '*[^0-9]*') AS strs`,
    )
    .get() as { ints: number; strs: number };
  if (r.ints && r.strs) return 'mixed';
  return r.strs ? 'string' : r.ints ? 'integer' : 'none';
}
