// File helpers for imaging's caches: source-file fingerprints (path+size+mtime),
// and `isInside`, the path-confinement check the transports use before serving a file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** `rel\0size\0mtime` of a file (size −1 when missing), the unit of every cache key here. */
export function fingerprint(root: string, rel: string): string {
  try {
    const st = fs.statSync(path.resolve(root, rel));
    return `${rel}\0${st.size}\0${Math.round(st.mtimeMs)}`;
  } catch {
    return `${rel}\0-1\0-1`;
  }
}

/** Hash of several fingerprints plus any extra key material (display state, sizes…). */
export function sourceDigest(
  root: string,
  relPaths: Iterable<string>,
  extra: unknown = null,
): string {
  const h = crypto.createHash('sha1');
  h.update(JSON.stringify(extra));
  for (const rel of relPaths) h.update(`${fingerprint(root, rel)}\n`);
  return h.digest('hex');
}

/** Real path of `p`, resolving symlinks of the longest existing prefix (p itself may not exist). */
function realish(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

/**
 * True when `file` (absolute, or relative to `root`) lies inside `root` after resolving `..` and
 * symlinks, so a link inside the cache that points elsewhere is refused. `root` itself is not
 * "inside" (a folder is never served).
 */
export function isInside(root: string, file: string): boolean {
  if (file.includes('\0')) return false;
  const r = realish(root);
  const f = realish(path.isAbsolute(file) ? file : path.join(root, file));
  const rel = path.relative(r, f);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** File-name-safe form of a name (experiment names go into cache file names). */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
}
