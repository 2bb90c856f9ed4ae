// Typed read functions over the catalog for the API, imaging and learning code. Paths returned are
// relative to the dataset root (meta 'root'); row types are exported for callers.
import type { WellType } from '../../../src-shared/contract';
import type { Catalog } from './db';
import { notFound } from '../errors';
import type { Split } from '../dataset/layout';
import { CHANNELS } from '../dataset/plate';
import { catalogCounts, type CatalogCounts } from './counts';
import { readMeta } from './meta';

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
  wellType: WellType;
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
  /** Experiment names; a name the catalog does not hold is a NOT_FOUND error. */
  experiments?: string[];
  plate?: number;
  site?: number;
  wellTypes?: WellType[];
  /** Only complete sites (see `COMPLETE_SITE`). */
  completeOnly?: boolean;
}

/** One site of the catalog with its well's labels and its channel images: the one site row type. */
export interface SiteRow {
  siteId: number;
  wellId: number;
  idCode: string;
  split: Split;
  experiment: string;
  cellType: string;
  plate: number;
  well: string;
  /** 0-based plate row (A = 0). */
  row: number;
  /** 1-based plate column. */
  col: number;
  site: number;
  wellType: WellType;
  sirna: string | null;
  sirnaId: number | null;
  /** Six paths relative to the dataset root (meta 'root'), channel 1 first; '' where missing. */
  paths: string[];
  /** See `COMPLETE_SITE`. */
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

/**
 * The one definition of a complete site, as SQL over a `sites` row aliased `s`: all six channel
 * images (channels 1..CHANNELS) present and readable (`images.ok`). Sites that are not complete
 * are never trained on, predicted from or pooled into stats; a well with one is `broken`.
 */
const COMPLETE_SITE = `((SELECT COUNT(*) FROM images ci WHERE ci.site_id = s.id AND ci.ok = 1
   AND ci.channel BETWEEN 1 AND ${CHANNELS}) = ${CHANNELS})`;

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
    root: readMeta(db, 'root'),
    format: readMeta(db, 'format') ?? 'none',
    indexedAt: readMeta(db, 'indexed_at'),
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
  well_type: WellType;
  sirna: string | null;
  sirna_id: number | null;
  in_metadata: number;
  has_images: number;
  sites: number;
  broken: number;
}

const WELL_COLUMNS = `w.id, w.well, w.row, w.col, w.id_code, w.well_type, w.sirna, w.sirna_id, w.in_metadata, w.has_images,
  (SELECT COUNT(*) FROM sites s WHERE s.well_id = w.id) AS sites,
  EXISTS (SELECT 1 FROM sites s WHERE s.well_id = w.id AND NOT ${COMPLETE_SITE}) AS broken`;

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

const SITE_PATHS = Array.from(
  { length: CHANNELS },
  (_, c) => `MAX(CASE WHEN i.channel = ${c + 1} THEN i.path END) AS p${c + 1}`,
).join(', ');

type RawSite = Omit<SiteRow, 'paths' | 'complete'> & { complete: number } & Record<string, unknown>;

/**
 * The catalog's sites, one row each (see `SiteRow`), ordered by experiment name, plate, row,
 * column and site: the one site query for the API, imaging (stats, thumbnails, auto-contrast) and
 * learning (training and prediction rows). Throws NOT_FOUND for an experiment not in the catalog.
 */
export function listSites(db: Catalog, filter: SiteFilter = {}): SiteRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.split) {
    where.push('e.split = ?');
    args.push(filter.split);
  }
  if (filter.experiments) {
    if (filter.experiments.length === 0) return [];
    const known = new Set(
      (db.prepare('SELECT name FROM experiments').all() as Array<{ name: string }>).map(
        (r) => r.name,
      ),
    );
    const unknown = filter.experiments.find((e) => !known.has(e));
    if (unknown !== undefined) throw notFound(`experiment ${unknown} is not in the catalog`);
    where.push(`e.name IN (${filter.experiments.map(() => '?').join(', ')})`);
    args.push(...filter.experiments);
  }
  if (filter.plate !== undefined) {
    where.push('p.plate = ?');
    args.push(filter.plate);
  }
  if (filter.site !== undefined) {
    where.push('s.site = ?');
    args.push(filter.site);
  }
  if (filter.wellTypes) {
    if (filter.wellTypes.length === 0) return [];
    where.push(`w.well_type IN (${filter.wellTypes.map(() => '?').join(', ')})`);
    args.push(...filter.wellTypes);
  }
  if (filter.completeOnly) where.push(COMPLETE_SITE);
  const rows = db
    .prepare(
      `SELECT s.id AS siteId, w.id AS wellId, w.id_code AS idCode, e.split, e.name AS experiment,
              e.cell_type AS cellType, p.plate, w.well, w.row, w.col, s.site,
              w.well_type AS wellType, w.sirna, w.sirna_id AS sirnaId, ${SITE_PATHS},
              ${COMPLETE_SITE} AS complete
       FROM sites s JOIN wells w ON w.id = s.well_id JOIN plates p ON p.id = w.plate_id
       JOIN experiments e ON e.id = p.experiment_id LEFT JOIN images i ON i.site_id = s.id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY s.id
       ORDER BY e.name, p.plate, w.row, w.col, s.site`,
    )
    .all(...args) as RawSite[];
  return rows.map((r) => ({
    siteId: r.siteId,
    wellId: r.wellId,
    idCode: r.idCode,
    split: r.split,
    experiment: r.experiment,
    cellType: r.cellType,
    plate: r.plate,
    well: r.well,
    row: r.row,
    col: r.col,
    site: r.site,
    wellType: r.wellType,
    sirna: r.sirna,
    sirnaId: r.sirnaId,
    paths: Array.from({ length: CHANNELS }, (_, c) => (r[`p${c + 1}`] as string | null) ?? ''),
    complete: r.complete === 1,
  }));
}

/** The dataset root the catalog's image paths are relative to; NOT_FOUND before any index. */
export function datasetRoot(db: Catalog, dbFile: string): string {
  const root = readMeta(db, 'root');
  if (root === null)
    throw notFound(`${dbFile}: catalog has no dataset root (meta 'root'); index a dataset first`);
  return root;
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
  const stored = readMeta(db, 'label_style');
  if (stored === 'integer' || stored === 'string' || stored === 'mixed') return stored;
  const format = readMeta(db, 'format');
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
