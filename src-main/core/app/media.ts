// Media files the UI may load (thumbnails, rendered sites, raw channel PNGs, exports): URLs are made
// by the transport; files are resolved only inside the cache, dataset and exports folders.
import fs from 'node:fs';
import path from 'node:path';
import type { MediaRoot } from '../../../src-shared/wire';

/** Builds the URL of a file under one of the media roots (serve: /media/…, Electron: platelab-media://…). */
export type MediaUrlBuilder = (root: MediaRoot, relPath: string) => string;

/** True when `file` is `base` or lies below it, after resolving symlinks of both. */
export function isInsideReal(base: string, file: string): boolean {
  let realBase: string;
  let realFile: string;
  try {
    realBase = fs.realpathSync(base);
    realFile = fs.realpathSync(file);
  } catch {
    return false;
  }
  const rel = path.relative(realBase, realFile);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves `relPath` inside `base` to an existing regular file, or null when the path escapes the
 * folder (`..`, absolute, drive letter, symlink out, NUL byte), does not exist, or is not a file.
 */
export function resolveInside(base: string, relPath: string): string | null {
  if (relPath.includes('\0') || path.isAbsolute(relPath) || /^[A-Za-z]:/.test(relPath)) return null;
  const parts = relPath.split(/[\\/]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.')) return null;
  const file = path.resolve(base, ...parts);
  if (!isInsideReal(base, file)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * File types each media root may serve: the dataset folder is the user's own tree (it may hold
 * anything), so only its images go out; the cache holds renders; exports add CSV and the plate
 * figures' SVG (served as an attachment, never rendered in the app's origin).
 */
export const MEDIA_TYPES: Record<MediaRoot, readonly string[]> = {
  cache: ['.png'],
  dataset: ['.png'],
  exports: ['.png', '.csv', '.json', '.svg'],
};

/** Resolves `<root>/<relPath>` for a media request; null for an unknown root, a path outside it, or another file type. */
export function resolveMediaFile(
  bases: Partial<Record<MediaRoot, string>>,
  root: string,
  relPath: string,
): string | null {
  const known =
    Object.prototype.hasOwnProperty.call(MEDIA_TYPES, root) &&
    Object.prototype.hasOwnProperty.call(bases, root);
  if (!known) return null;
  const base = bases[root as MediaRoot];
  if (!base || !MEDIA_TYPES[root as MediaRoot].includes(path.extname(relPath).toLowerCase()))
    return null;
  return resolveInside(base, relPath);
}

/**
 * Resolves a custom-protocol URL `<scheme>://<root>/<encoded path>` (Electron's platelab-media://)
 * to a file inside its root, or null for anything else (bad URL, other scheme, outside, missing).
 */
export function resolveMediaUrl(
  bases: Partial<Record<MediaRoot, string>>,
  scheme: string,
  rawUrl: string,
): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${scheme}:`) return null;
  try {
    const rel = url.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s))
      .join('/');
    return resolveMediaFile(bases, url.hostname, rel);
  } catch {
    return null;
  }
}

/** Relative path of a file under a media root, for building its URL; throws if it is outside. */
export function relUnder(base: string, file: string): string {
  const rel = path.relative(path.resolve(base), path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new Error(`${file} is not inside ${base}`);
  return rel.split(path.sep).join('/');
}

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export function mediaContentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
