// Walks the RxRx1 folder tree: finds the plate folders ({train|test}/{EXP}/Plate{p}) and reports
// anything else at those levels; scans one plate folder into names + sizes + mtimes and a digest.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Split } from '../../dataset/layout';
import type { Problem } from '../../dataset/metadata';

export interface PlateDir {
  split: Split;
  experiment: string;
  plate: number;
  /** Relative to the root, '/' separated: 'train/HEPG2-01/Plate1'. */
  dir: string;
  abs: string;
}

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

/** Plate folders sorted by path, plus 'outside-layout' problems for stray files and folders above them. */
export function listPlateDirs(root: string): { plates: PlateDir[]; problems: Problem[] } {
  const plates: PlateDir[] = [];
  const problems: Problem[] = [];
  for (const split of ['train', 'test'] as const) {
    const splitAbs = `${root}/${split}`;
    const experiments = readDir(splitAbs);
    if (!experiments) continue;
    for (const e of experiments) {
      const expAbs = `${splitAbs}/${e.name}`;
      if (kindOf(expAbs, e) !== 'dir') {
        problems.push({
          kind: 'outside-layout',
          path: `${split}/${e.name}`,
          message: `not inside an experiment/plate folder`,
        });
        continue;
      }
      const entries = readDir(expAbs);
      if (!entries) {
        problems.push({
          kind: 'unreadable-file',
          path: `${split}/${e.name}`,
          message: 'cannot list this folder',
        });
        continue;
      }
      for (const p of entries) {
        const rel = `${split}/${e.name}/${p.name}`;
        const abs = `${expAbs}/${p.name}`;
        const kind = kindOf(abs, p);
        const m = PLATE_DIR_RE.exec(p.name);
        if (kind === 'dir' && m) {
          plates.push({ split, experiment: e.name, plate: Number(m[1]), dir: rel, abs });
        } else {
          problems.push({
            kind: 'outside-layout',
            path: rel,
            message:
              kind === 'dir' ? `folder name is not Plate{number}` : 'not inside a plate folder',
          });
        }
      }
    }
  }
  plates.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return { plates, problems };
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
}

/**
 * Lists one plate folder and stats every file. The digest covers names, sizes and mtimes in
 * listing order, so any added, removed, replaced or touched file changes it.
 */
export function scanPlateDir(abs: string): PlateScan {
  const entries = readDir(abs);
  if (!entries) return { files: [], strays: [], digest: '', readable: false };
  const files: ScannedFile[] = [];
  const strays: string[] = [];
  const hash = crypto.createHash('sha1');
  for (const entry of entries) {
    const name = entry.name;
    if (!entry.isFile() && !entry.isSymbolicLink()) {
      strays.push(name);
      continue;
    }
    const st = fs.statSync(`${abs}/${name}`, { throwIfNoEntry: false });
    if (!st) continue; // vanished between listing and stat
    if (!st.isFile()) {
      strays.push(name);
      continue;
    }
    files.push({ name, size: st.size, mtimeMs: st.mtimeMs });
    hash.update(`${name}\0${st.size}\0${st.mtimeMs}\n`);
  }
  for (const s of strays) hash.update(`${s}/\n`);
  return { files, strays, digest: hash.digest('hex'), readable: true };
}
