// Brings one plate folder's rows up to date in one transaction: wells, sites and images for the
// files on disk (PNG headers read only for new or changed files), stale rows removed, the plate's
// problems replaced and its digest stored last, so a crash before the commit just redoes the plate.
import type { Catalog } from '../db';
import { parseImageFileName } from '../../dataset/layout';
import { CHANNELS, SITES, idCode, parseWellName, wellName } from '../../dataset/plate';
import type { Problem } from '../../dataset/metadata';
import type { CatalogIds } from './ids';
import { PNG_HEADER_BYTES, readPngHeaderSync, type PngHeader } from './png-header';
import { replaceScopeProblems } from './problem-store';
import { markDerivedStale } from './meta';
import type { PlateDir, PlateScan } from './walk';
import { cachedStatement } from './statements';

interface ExistingImage {
  id: number;
  path: string;
  size: number;
  mtime_ms: number;
  width: number | null;
  height: number | null;
  bit_depth: number | null;
  ok: number;
}

interface PlannedImage {
  path: string;
  well: string;
  site: number;
  channel: number;
  size: number;
  mtimeMs: number;
  header: PngHeader | null;
  ok: boolean;
  /** The row this file already has (unchanged or updated); undefined for a new file. */
  existing?: ExistingImage;
  changed: boolean;
}

export interface PlateChanges {
  added: number;
  updated: number;
  removed: number;
}

const headerBuf = Buffer.alloc(PNG_HEADER_BYTES);

/**
 * File names exactly as RxRx1 writes them (upper-case row, two-digit column 01–24, site ≥ 1,
 * channel 1–6, '.png'): parseImageFileName accepts each of these with this same well, site and channel.
 */
const CANONICAL_FILE_RE = /^([A-P])(0[1-9]|1\d|2[0-4])_s([1-9]\d{0,5})_w([1-6])\.png$/;
/** Rows per multi-row INSERT of new images (9 parameters each) and sites (4 each). */
const ROWS_PER_INSERT = 100;
const IMAGE_COLUMNS = 9;
const SITE_COLUMNS = 4;

export function plateScope(dir: string): string {
  return `plate:${dir}`;
}

/** Images stored under one plate folder, selected by path prefix ('/' + 1 = '0'). */
function existingImages(db: Catalog, dir: string): ExistingImage[] {
  return cachedStatement(
    db,
    'SELECT id, path, size, mtime_ms, width, height, bit_depth, ok FROM images WHERE path >= ? AND path < ?',
  ).all(`${dir}/`, `${dir}0`) as ExistingImage[];
}

/** Works out which files are images, which are new or changed, and what is wrong with the rest. */
function plan(
  root: string,
  plate: PlateDir,
  scan: PlateScan,
  existing: Map<string, ExistingImage>,
) {
  const problems: Problem[] = [];
  const planned: PlannedImage[] = [];
  const keys = new Set<string>();
  const files = [...scan.files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // The plate folder itself is valid (walk.ts, in any of the layouts), so only the file name is parsed.
  for (const f of files) {
    const rel = `${plate.dir}/${f.name}`;
    let site: number;
    let channel: number;
    let well: string;
    const fast = CANONICAL_FILE_RE.exec(f.name);
    if (fast) {
      well = `${fast[1]}${fast[2]}`;
      site = Number(fast[3]);
      channel = Number(fast[4]);
    } else {
      const parsed = parseImageFileName(f.name);
      if (!parsed.ok) {
        problems.push({ kind: 'bad-file-name', path: rel, message: parsed.reason });
        continue;
      }
      site = parsed.site;
      channel = parsed.channel;
      well = wellName(parseWellName(parsed.well)!);
    }
    const key = `${well}_s${site}_w${channel}`;
    if (keys.has(key)) {
      problems.push({
        kind: 'duplicate-image',
        path: rel,
        message: `another file already holds ${key}`,
      });
      continue;
    }
    keys.add(key);
    const prev = existing.get(rel);
    // A file with the same size and mtime keeps its stored header; broken ones are re-read so
    // their problem is reported again.
    if (prev && prev.size === f.size && prev.mtime_ms === Math.floor(f.mtimeMs) && prev.ok === 1) {
      planned.push({
        path: rel,
        well,
        site,
        channel,
        size: f.size,
        mtimeMs: prev.mtime_ms,
        ok: true,
        existing: prev,
        changed: false,
        header: {
          width: prev.width ?? 0,
          height: prev.height ?? 0,
          bitDepth: prev.bit_depth ?? 0,
          colorType: 0,
        },
      });
      continue;
    }
    // New plates come with headers read during the scan; otherwise read just this file's.
    const read = scan.headers?.get(f.name) ?? readPngHeaderSync(`${root}/${rel}`, headerBuf);
    const mtimeMs = Math.floor(f.mtimeMs);
    if (!read.ok) problems.push({ kind: read.kind, path: rel, message: read.message });
    const header = read.ok ? read.header : null;
    const changed =
      !prev ||
      prev.size !== f.size ||
      prev.mtime_ms !== mtimeMs ||
      prev.ok !== (read.ok ? 1 : 0) ||
      prev.width !== (header?.width ?? null) ||
      prev.height !== (header?.height ?? null) ||
      prev.bit_depth !== (header?.bitDepth ?? null);
    planned.push({
      path: rel,
      well,
      site,
      channel,
      size: f.size,
      mtimeMs,
      header,
      ok: read.ok,
      existing: prev,
      changed,
    });
  }
  for (const s of scan.strays)
    problems.push({
      kind: 'outside-layout',
      path: `${plate.dir}/${s}`,
      message: 'not a file: nothing else belongs in a plate folder',
    });
  // Sites with fewer than six channels.
  const bySite = new Map<string, Set<number>>();
  for (const p of planned) {
    const k = `${p.well}_s${p.site}`;
    let set = bySite.get(k);
    if (!set) bySite.set(k, (set = new Set()));
    set.add(p.channel);
  }
  // Wells with images for some of their sites only (RxRx1 images sites 1 and 2 of every well).
  const sitesByWell = new Map<string, Set<number>>();
  for (const p of planned) {
    let set = sitesByWell.get(p.well);
    if (!set) sitesByWell.set(p.well, (set = new Set()));
    set.add(p.site);
  }
  for (const [well, set] of sitesByWell) {
    const expected = Array.from({ length: SITES }, (_, i) => i + 1);
    const missing = expected.filter((s) => !set.has(s));
    if (missing.length === 0) continue;
    const has = [...set].sort((a, b) => a - b);
    const list = (xs: number[]) => `site${xs.length > 1 ? 's' : ''} ${xs.join(', ')}`;
    problems.push({
      kind: 'missing-site',
      path: `${plate.dir}/${well}`,
      message: `well ${well} has images for ${list(has)} but none for ${list(missing)}`,
    });
  }
  for (const [k, set] of bySite) {
    if (set.size >= CHANNELS) continue;
    const missing = Array.from({ length: CHANNELS }, (_, i) => i + 1).filter((c) => !set.has(c));
    problems.push({
      kind: 'missing-channel',
      path: `${plate.dir}/${k}`,
      message: `site incomplete: channel${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`,
    });
  }
  return { planned, problems };
}

/** Re-indexes one plate folder; returns how many image rows it added, updated and removed. */
export function syncPlate(
  db: Catalog,
  ids: CatalogIds,
  root: string,
  plate: PlateDir,
  scan: PlateScan,
  /** Problems found outside the plan (flat channels), stored in the plate's scope with its own. */
  extraProblems: readonly Problem[] = [],
): PlateChanges {
  const changes: PlateChanges = { added: 0, updated: 0, removed: 0 };
  const existingList = existingImages(db, plate.dir);
  const existing = new Map(existingList.map((e) => [e.path, e]));
  const { planned, problems } = plan(root, plate, scan, existing);
  problems.push(...extraProblems);

  db.transaction(() => {
    const expId = ids.experiment(plate.experiment, plate.split);
    const plateId = ids.plate(expId, plate.plate);
    const keep = new Set(planned.map((p) => p.path));
    const del = cachedStatement(db, 'DELETE FROM images WHERE id = ?');
    for (const e of existingList)
      if (!keep.has(e.path)) {
        del.run(e.id);
        changes.removed++;
      }

    const wells = new Map<string, { id: number; has_images: number }>();
    for (const w of cachedStatement(
      db,
      'SELECT id, well, has_images FROM wells WHERE plate_id = ?',
    ).all(plateId) as Array<{
      id: number;
      well: string;
      has_images: number;
    }>)
      wells.set(w.well, w);
    const sites = new Map<string, number>();
    for (const s of cachedStatement(
      db,
      'SELECT s.id, s.well_id, s.site FROM sites s JOIN wells w ON w.id = s.well_id WHERE w.plate_id = ?',
    ).all(plateId) as Array<{ id: number; well_id: number; site: number }>)
      sites.set(`${s.well_id}/${s.site}`, s.id);

    const insertWell = cachedStatement(
      db,
      `INSERT INTO wells (plate_id, well, row, col, id_code, well_type, in_metadata, has_images)
       VALUES (?, ?, ?, ?, ?, 'unknown', 0, 1)`,
    );
    // Wells that gain images are flagged in one statement at the end, not one UPDATE each.
    const markWells = cachedStatement(
      db,
      'UPDATE wells SET has_images = 1 WHERE id IN (SELECT value FROM json_each(?))',
    );
    const wellsToMark: number[] = [];
    // New sites get their channel count now (the images planned for them), so the recount
    // below has nothing to rewrite for them.
    const plannedPerSite = new Map<string, number>();
    for (const p of planned) {
      if (!p.changed) continue;
      const k = `${p.well}_s${p.site}`;
      plannedPerSite.set(k, (plannedPerSite.get(k) ?? 0) + 1);
    }
    // New sites take ids as SQLite would (max + 1, in order), so they can go in by multi-row INSERT.
    let nextSiteId =
      (cachedStatement(db, 'SELECT COALESCE(MAX(id), 0) AS m FROM sites').get() as { m: number })
        .m + 1;
    const siteSql = (rows: number) =>
      `INSERT INTO sites (id, well_id, site, channels) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}`;
    const siteParams: number[] = [];
    const flushSites = () => {
      for (let at = 0; at < siteParams.length; at += ROWS_PER_INSERT * SITE_COLUMNS) {
        const chunk = siteParams.slice(at, at + ROWS_PER_INSERT * SITE_COLUMNS);
        cachedStatement(db, siteSql(chunk.length / SITE_COLUMNS)).run(chunk);
      }
      siteParams.length = 0;
    };
    const imageSql = (rows: number) =>
      `INSERT INTO images (site_id, channel, path, size, mtime_ms, width, height, bit_depth, ok) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
    const insertImages = cachedStatement(db, imageSql(ROWS_PER_INSERT));
    const updateImage = cachedStatement(
      db,
      `UPDATE images SET site_id = ?, channel = ?, size = ?, mtime_ms = ?, width = ?, height = ?, bit_depth = ?, ok = ?
       WHERE id = ?`,
    );
    const params: Array<number | string | null> = new Array(ROWS_PER_INSERT * IMAGE_COLUMNS);
    let pendingRows = 0;
    for (const p of planned) {
      if (!p.changed) continue;
      let w = wells.get(p.well);
      if (!w) {
        const pos = parseWellName(p.well)!;
        const id = Number(
          insertWell.run(
            plateId,
            p.well,
            pos.row,
            pos.col,
            idCode(plate.experiment, plate.plate, p.well),
          ).lastInsertRowid,
        );
        wells.set(p.well, (w = { id, has_images: 1 }));
      } else if (!w.has_images) {
        wellsToMark.push(w.id);
        w.has_images = 1;
      }
      const siteKey = `${w.id}/${p.site}`;
      let siteId = sites.get(siteKey);
      if (siteId === undefined) {
        const count = plannedPerSite.get(`${p.well}_s${p.site}`) ?? 0;
        siteId = nextSiteId++;
        siteParams.push(siteId, w.id, p.site, count);
        sites.set(siteKey, siteId);
      }
      const h = p.header;
      const width = h?.width ?? null;
      const height = h?.height ?? null;
      const bitDepth = h?.bitDepth ?? null;
      const ok = p.ok ? 1 : 0;
      if (p.existing) {
        flushSites();
        updateImage.run(
          siteId,
          p.channel,
          p.size,
          p.mtimeMs,
          width,
          height,
          bitDepth,
          ok,
          p.existing.id,
        );
        changes.updated++;
        continue;
      }
      const o = pendingRows * IMAGE_COLUMNS;
      params[o] = siteId;
      params[o + 1] = p.channel;
      params[o + 2] = p.path;
      params[o + 3] = p.size;
      params[o + 4] = p.mtimeMs;
      params[o + 5] = width;
      params[o + 6] = height;
      params[o + 7] = bitDepth;
      params[o + 8] = ok;
      changes.added++;
      if (++pendingRows === ROWS_PER_INSERT) {
        flushSites(); // sites before the images that reference them
        insertImages.run(params);
        pendingRows = 0;
      }
    }
    flushSites();
    if (pendingRows > 0)
      cachedStatement(db, imageSql(pendingRows)).run(params.slice(0, pendingRows * IMAGE_COLUMNS));
    if (wellsToMark.length > 0) markWells.run(JSON.stringify(wellsToMark));
    if (changes.added || changes.updated || changes.removed) {
      refreshPlateDerivedRows(db, plateId);
    }
    replaceScopeProblems(db, plateScope(plate.dir), problems);
    markDerivedStale(db);
    cachedStatement(
      db,
      `INSERT INTO plate_scans (dir, split, experiment, plate, digest, files) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(dir) DO UPDATE SET digest = excluded.digest, files = excluded.files`,
    ).run(plate.dir, plate.split, plate.experiment, plate.plate, scan.digest, scan.files.length);
  })();
  return changes;
}

/** Drops everything stored for a plate folder that is gone from disk. */
export function removePlateDir(
  db: Catalog,
  ids: CatalogIds,
  dir: string,
  experiment: string,
  plate: number,
): number {
  let removed = 0;
  db.transaction(() => {
    removed = cachedStatement(db, 'DELETE FROM images WHERE path >= ? AND path < ?').run(
      `${dir}/`,
      `${dir}0`,
    ).changes;
    const plateId = ids.findPlate(experiment, plate);
    if (plateId !== undefined) {
      refreshPlateDerivedRows(db, plateId);
    }
    cachedStatement(db, 'DELETE FROM problems WHERE scope = ?').run(plateScope(dir));
    markDerivedStale(db);
    cachedStatement(db, 'DELETE FROM plate_scans WHERE dir = ?').run(dir);
  })();
  return removed;
}

/**
 * Channel counts, empty sites and the has_images flag follow from a plate's image rows; wells
 * known only from images disappear with their last image.
 */
function refreshPlateDerivedRows(db: Catalog, plateId: number): void {
  cachedStatement(
    db,
    `UPDATE sites SET channels = (SELECT COUNT(*) FROM images i WHERE i.site_id = sites.id)
     WHERE well_id IN (SELECT id FROM wells WHERE plate_id = ?)
       AND channels != (SELECT COUNT(*) FROM images i WHERE i.site_id = sites.id)`,
  ).run(plateId);
  cachedStatement(
    db,
    'DELETE FROM sites WHERE channels = 0 AND well_id IN (SELECT id FROM wells WHERE plate_id = ?)',
  ).run(plateId);
  cachedStatement(
    db,
    `UPDATE wells SET has_images = 0
     WHERE plate_id = ? AND has_images = 1 AND NOT EXISTS (SELECT 1 FROM sites s WHERE s.well_id = wells.id)`,
  ).run(plateId);
  cachedStatement(
    db,
    'DELETE FROM wells WHERE plate_id = ? AND in_metadata = 0 AND has_images = 0',
  ).run(plateId);
}
