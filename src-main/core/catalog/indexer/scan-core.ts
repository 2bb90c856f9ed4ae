// Scans one plate folder: lists it, stats every file (or, for a plate never indexed, opens each
// file and takes size, mtime and the first PNG bytes from the open file), and digests names +
// sizes + mtimes. Self-contained on purpose: scan-pool.ts runs this same function's source in
// worker threads, so it may use only its parameters and JS globals (no imports, no helpers).
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';

export interface RawScan {
  readable: boolean;
  /** File names (and symlinks) in listing order; `keep[i] = 0` where a file vanished or is not a file. */
  names: string[];
  keep: Uint8Array;
  sizes: Float64Array;
  mtimes: Float64Array;
  /** withHeaders only: the first 33 bytes of each file, and how many were read (-1: open failed, -2: read failed). */
  head: Uint8Array | null;
  headLen: Int32Array | null;
  /** withHeaders only: error text by file index. */
  errors: Record<number, string>;
  /** Sub-folders and special files, in listing order. */
  strays: string[];
  digest: string;
  /** The digest equals the one the caller already has: names and stats were left out. */
  same: boolean;
}

export const HEAD_BYTES = 33;

export function scanDirCore(
  fs: typeof NodeFs,
  crypto: typeof NodeCrypto,
  abs: string,
  withHeaders: boolean,
  knownDigest: string | null,
): RawScan {
  const HEAD = 33;
  let entries;
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch {
    return {
      readable: false,
      names: [],
      keep: new Uint8Array(0),
      sizes: new Float64Array(0),
      mtimes: new Float64Array(0),
      head: null,
      headLen: null,
      errors: {},
      strays: [],
      digest: '',
      same: false,
    };
  }
  const names: string[] = [];
  const strays: string[] = [];
  for (const e of entries) {
    if (e.isFile() || e.isSymbolicLink()) names.push(e.name);
    else strays.push(e.name);
  }
  const n = names.length;
  const keep = new Uint8Array(n);
  const sizes = new Float64Array(n);
  const mtimes = new Float64Array(n);
  const head = withHeaders ? new Uint8Array(HEAD * n) : null;
  const headLen = withHeaders ? new Int32Array(n) : null;
  const errors: Record<number, string> = {};
  const buf = Buffer.alloc(HEAD);
  let text = '';
  for (let i = 0; i < n; i++) {
    const p = `${abs}/${names[i]}`;
    let fd = -1;
    if (withHeaders) {
      try {
        fd = fs.openSync(p, 'r');
      } catch (err) {
        headLen![i] = -1;
        errors[i] = `cannot open: ${(err as Error).message}`;
      }
    }
    try {
      const st = fd >= 0 ? fs.fstatSync(fd) : fs.statSync(p, { throwIfNoEntry: false });
      if (!st) continue; // vanished between listing and stat
      if (!st.isFile()) {
        strays.push(names[i]!);
        continue;
      }
      keep[i] = 1;
      sizes[i] = st.size;
      mtimes[i] = st.mtimeMs;
      text += `${names[i]}\0${st.size}\0${st.mtimeMs}\n`;
      if (fd >= 0) {
        try {
          const got = fs.readSync(fd, buf, 0, HEAD, 0);
          head!.set(buf.subarray(0, got), HEAD * i);
          headLen![i] = got;
        } catch (err) {
          headLen![i] = -2;
          errors[i] = `cannot read: ${(err as Error).message}`;
        }
      }
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
  }
  for (const s of strays) text += `${s}/\n`;
  const digest = crypto.createHash('sha1').update(text).digest('hex');
  if (digest === knownDigest) {
    // Unchanged plate: nothing else needs to cross to the indexer.
    const none = new Uint8Array(0);
    return {
      readable: true,
      names: [],
      keep: none,
      sizes: new Float64Array(0),
      mtimes: new Float64Array(0),
      head: null,
      headLen: null,
      errors: {},
      strays: [],
      digest,
      same: true,
    };
  }
  return {
    readable: true,
    names,
    keep,
    sizes,
    mtimes,
    head,
    headLen,
    errors,
    strays,
    digest,
    same: false,
  };
}
