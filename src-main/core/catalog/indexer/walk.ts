// Walks the RxRx1 folder tree: finds the plate folders ({train|test}/{EXP}/Plate{p}, the 2020
// images/{EXP}/Plate{p} and images/{train|test}/{EXP}/Plate{p}) and reports anything else at those
// levels; turns a plate-folder scan (scan-core.ts) into the indexer's view.
import fs from 'node:fs';
import { IMAGE_FOLDER_PATTERNS, type Split } from '../../dataset/layout';
import type { Problem } from '../../dataset/metadata';
import { parsePngHeader, type HeaderRead } from './png-header';
import { HEAD_BYTES, type RawScan } from './scan-core';

export interface PlateDir {
  split: Split;
  experiment: string;
  plate: number;
  /** Relative to the root, '/' separated: 'train/HEPG2-01/Plate1', 'images/HEPG2-01/Plate1'. */
  dir: string;
  abs: string;
}

/** The 2020 release's image folder. */
export const IMAGES_DIR = 'images';

const PLATE_DIR_RE = /^Plate([1-9]\d*)$/;

function kindOf(abs: string, entry: fs.Dirent): 'dir' | 'file' | 'other' {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (entry.isSymbolicLink()) {
    try {
      const st = fs.statSync(abs);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      return 'other';
    }
  }
  return 'other';
}

function readDir(abs: string): fs.Dirent[] | null {
  try {
    return fs.readdirSync(abs, { withFileTypes: true });
  } catch {
    return null;
  }
}

/** Lists the plate folders of one experiment folder; anything else there is 'outside-layout'. */
function platesOf(
  expAbs: string,
  expRel: string,
  experiment: string,
  split: Split,
  plates: PlateDir[],
  problems: Problem[],
): void {
  const entries = readDir(expAbs);
  if (!entries) {
    problems.push({ kind: 'unreadable-file', path: expRel, message: 'cannot list this folder' });
    return;
  }
  for (const p of entries) {
    const rel = `${expRel}/${p.name}`;
    const abs = `${expAbs}/${p.name}`;
    const kind = kindOf(abs, p);
    const m = PLATE_DIR_RE.exec(p.name);
    if (kind === 'dir' && m) {
      plates.push({ split, experiment, plate: Number(m[1]), dir: rel, abs });
    } else {
      problems.push({
        kind: 'outside-layout',
        path: rel,
        message: kind === 'dir' ? `folder name is not Plate{number}` : 'not inside a plate folder',
      });
    }
  }
}

/** Experiment folders under a split folder ('train', 'images/test', ...). */
function splitFolder(
  root: string,
  rel: string,
  split: Split,
  plates: PlateDir[],
  problems: Problem[],
): void {
  const experiments = readDir(`${root}/${rel}`);
  if (!experiments) return;
  for (const e of experiments) {
    const expAbs = `${root}/${rel}/${e.name}`;
    if (kindOf(expAbs, e) !== 'dir') {
      problems.push({
        kind: 'outside-layout',
        path: `${rel}/${e.name}`,
        message: `not inside an experiment/plate folder`,
      });
      continue;
    }
    platesOf(expAbs, `${rel}/${e.name}`, e.name, split, plates, problems);
  }
}

/**
 * Plate folders sorted by path, plus 'outside-layout' problems for stray files and folders above
 * them. Looks in train/ and test/ (2019), images/train/ and images/test/, and images/{EXP}/ (2020,
 * where `splitOf` gives the experiment's split from the metadata; an experiment it does not know
 * is reported and left out). Two folders holding the same experiment and plate: the first by path
 * is indexed, the other reported.
 */
export function listPlateDirs(
  root: string,
  splitOf: (experiment: string) => Split | undefined = () => undefined,
): { plates: PlateDir[]; problems: Problem[] } {
  const plates: PlateDir[] = [];
  const problems: Problem[] = [];
  for (const split of ['train', 'test'] as const) splitFolder(root, split, split, plates, problems);
  const images = readDir(`${root}/${IMAGES_DIR}`);
  for (const e of images ?? []) {
    const rel = `${IMAGES_DIR}/${e.name}`;
    const abs = `${root}/${rel}`;
    if (kindOf(abs, e) !== 'dir') {
      problems.push({
        kind: 'outside-layout',
        path: rel,
        message: 'not inside an experiment/plate folder',
      });
    } else if (e.name === 'train' || e.name === 'test') {
      splitFolder(root, rel, e.name, plates, problems);
    } else {
      const split = splitOf(e.name);
      if (split) platesOf(abs, rel, e.name, split, plates, problems);
      else
        problems.push({
          kind: 'image-without-csv-row',
          path: rel,
          message: `experiment ${e.name} is not in the metadata, so its split (train or test) is unknown; its images were not indexed`,
        });
    }
  }
  plates.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  const byPlate = new Map<string, PlateDir>();
  const unique: PlateDir[] = [];
  for (const p of plates) {
    const key = `${p.experiment}/${p.plate}`;
    const first = byPlate.get(key);
    if (first) {
      problems.push({
        kind: 'duplicate-image',
        path: p.dir,
        message: `${first.dir} already holds ${p.experiment} plate ${p.plate}; this folder was not indexed`,
      });
      continue;
    }
    byPlate.set(key, p);
    unique.push(p);
  }
  return { plates: unique, problems };
}

/**
 * The problem for a dataset whose metadata was recognised but where no plate folder was found:
 * where the walk looked and which top-level folders exist instead.
 */
export function noImageFolderProblem(root: string, format: string): Problem {
  const top = (readDir(root) ?? [])
    .filter((e) => kindOf(`${root}/${e.name}`, e) === 'dir')
    .map((e) => `${e.name}/`)
    .sort();
  return {
    kind: 'no-image-folder',
    path: '.',
    message:
      `the ${format} metadata was found but no plate folders: looked for ${IMAGE_FOLDER_PATTERNS.join(', ')}` +
      `; ${top.length ? `folders here: ${top.slice(0, 10).join(', ')}${top.length > 10 ? ', …' : ''}` : 'there are no folders here'}`,
  };
}

export interface ScannedFile {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface PlateScan {
  files: ScannedFile[];
  /** Sub-folders and special files: nothing belongs there in the RxRx1 layout. */
  strays: string[];
  digest: string;
  /** False when the folder itself could not be listed. */
  readable: boolean;
  /** PNG headers read during the scan (plates never indexed before), by file name. */
  headers?: Map<string, HeaderRead>;
}

/** Turns a scan-core result into the indexer's view, parsing the header bytes it carries. */
export function toPlateScan(raw: RawScan): PlateScan {
  const files: ScannedFile[] = [];
  const headers = raw.head ? new Map<string, HeaderRead>() : undefined;
  for (let i = 0; i < raw.names.length; i++) {
    if (!raw.keep[i]) continue;
    const name = raw.names[i]!;
    files.push({ name, size: raw.sizes[i]!, mtimeMs: raw.mtimes[i]! });
    if (!headers) continue;
    const len = raw.headLen![i]!;
    if (len < 0) {
      headers.set(name, {
        ok: false,
        kind: 'unreadable-file',
        message: raw.errors[i] ?? 'cannot read',
      });
      continue;
    }
    const bytes = Buffer.from(raw.head!.buffer, raw.head!.byteOffset + HEAD_BYTES * i, HEAD_BYTES);
    const parsed = parsePngHeader(bytes, len);
    headers.set(
      name,
      typeof parsed === 'string'
        ? { ok: false, kind: 'corrupt-png', message: parsed }
        : { ok: true, header: parsed },
    );
  }
  return { files, strays: raw.strays, digest: raw.digest, readable: raw.readable, headers };
}
