// Walks the RxRx1 folder tree: finds the plate folders ({train|test}/{EXP}/Plate{p}) and reports
// anything else at those levels; turns a plate-folder scan (scan-core.ts) into the indexer's view.
import fs from 'node:fs';
import type { Split } from '../../dataset/layout';
import type { Problem } from '../../dataset/metadata';
import { parsePngHeader, type HeaderRead } from './png-header';
import { HEAD_BYTES, type RawScan } from './scan-core';

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
