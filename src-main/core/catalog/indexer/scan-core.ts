// Scans one plate folder: lists it, stats every file (or, for a plate never indexed, opens each
// file and takes size, mtime and the first PNG bytes from the open file), and digests names +
// sizes + mtimes. Runs on scan-pool.ts's worker threads (scan-worker.ts) and in-process; fs comes
// in as a parameter.
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
  // Digest: two 32-bit FNV-1a lanes over every name, size and mtime (and stray name), in listing
  // order. Cheaper than hashing a built string, and a 64-bit change detector is plenty here.
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x2f8a1c3b | 0;
  let count = 0;
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
      const name = names[i]!;
      for (let k = 0; k < name.length; k++) {
        const ch = name.charCodeAt(k);
        h1 = Math.imul(h1 ^ ch, 16777619);
        h2 = Math.imul(h2 ^ ch, 0x5bd1e995);
      }
      // Size and mtime (ms with its fraction) as 32-bit pieces, then a separator.
      const ms = Math.floor(st.mtimeMs);
      const parts = [
        st.size % 4294967296,
        Math.floor(st.size / 4294967296),
        ms % 4294967296,
        Math.floor(ms / 4294967296),
        Math.round((st.mtimeMs - ms) * 1e6),
        0x2f,
      ];
      for (const v of parts) {
        h1 = Math.imul(h1 ^ v, 16777619);
        h2 = Math.imul(h2 ^ v, 0x5bd1e995);
        h2 ^= h2 >>> 13;
      }
      count++;
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
  for (const stray of strays) {
    for (let k = 0; k < stray.length; k++) {
      const ch = stray.charCodeAt(k);
      h1 = Math.imul(h1 ^ ch, 16777619);
      h2 = Math.imul(h2 ^ ch, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ 0x2e, 16777619);
    h2 = Math.imul(h2 ^ 0x2e, 0x5bd1e995);
    h2 ^= h2 >>> 13;
    count++;
  }
  const digest = `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}-${count}`;
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
