// The decoded-site cache: one binary file per dataset and resolution holding uint8 H×W×6 sites
// back to back, plus `<file>.index.json` (site key → offset and the digest of the site's source
// files). Sites are read by offset (never the whole file); a changed source re-decodes that site.
// Appends go past the file's real end and the index is replaced atomically, so a crash loses at
// most the unindexed tail. One writer at a time (the training process).
import fs from 'node:fs';
import path from 'node:path';
import { CHANNELS } from '../dataset/plate';
import { inputError } from '../errors';
import { fingerprint, writeFileAtomicSync } from './files';
import crypto from 'node:crypto';
import { loadRawSite, type RawSite } from './load-site';

const VERSION = 1;

interface IndexFile {
  version: number;
  resolution: number;
  channels: number;
  siteBytes: number;
  entries: Record<string, { offset: number; digest: string }>;
}

export interface DecodedCacheStats {
  hits: number;
  misses: number;
  stale: number;
}

/** Digest of a site's 6 source files (path, size, mtime). */
export function siteDigest(root: string, relPaths: readonly string[]): string {
  const h = crypto.createHash('sha1');
  for (const rel of relPaths) h.update(`${fingerprint(root, rel)}\n`);
  return h.digest('hex').slice(0, 24);
}

export class DecodedSiteCache {
  readonly siteBytes: number;
  readonly stats: DecodedCacheStats = { hits: 0, misses: 0, stale: 0 };
  private fd: number;
  private end: number;
  private dirty = 0;
  private closed = false;

  private constructor(
    readonly file: string,
    readonly resolution: number,
    private index: IndexFile,
  ) {
    this.siteBytes = index.siteBytes;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+');
    this.end = fs.fstatSync(this.fd).size;
  }

  /** Opens (or creates) the cache for one resolution; an index for another layout starts afresh. */
  static open(file: string, resolution: number): DecodedSiteCache {
    if (!Number.isInteger(resolution) || resolution < 1)
      throw inputError(`cache resolution ${resolution} is not a positive integer`);
    const siteBytes = resolution * resolution * CHANNELS;
    const fresh: IndexFile = {
      version: VERSION,
      resolution,
      channels: CHANNELS,
      siteBytes,
      entries: {},
    };
    let index = fresh;
    try {
      const parsed = JSON.parse(fs.readFileSync(indexPath(file), 'utf8')) as IndexFile;
      if (
        parsed.version === VERSION &&
        parsed.resolution === resolution &&
        parsed.siteBytes === siteBytes
      )
        index = parsed;
    } catch {
      // No index or an unreadable one: start empty (the data file is then just reused space).
    }
    if (index === fresh && fs.existsSync(file)) fs.truncateSync(file, 0);
    return new DecodedSiteCache(file, resolution, index);
  }

  get size(): number {
    return Object.keys(this.index.entries).length;
  }

  /** The digest `get` compares against (exposed so callers can look up without decoding). */
  digestFor(root: string, relPaths: readonly string[]): string {
    return siteDigest(root, relPaths);
  }

  /** Offset of a cached site whose sources still match `digest`, or null. */
  lookup(key: string, digest: string): number | null {
    const e = this.index.entries[key];
    if (!e) return null;
    if (e.digest !== digest) {
      this.stats.stale++;
      return null;
    }
    return e.offset;
  }

  /** Reads one site (siteBytes) at an offset into `into` (or a new array). */
  read(offset: number, into = new Uint8Array(this.siteBytes)): Uint8Array {
    const n = fs.readSync(this.fd, into, 0, this.siteBytes, offset);
    if (n !== this.siteBytes)
      throw inputError(
        `${this.file}: truncated decoded-site cache (read ${n} of ${this.siteBytes} bytes)`,
      );
    return into;
  }

  /** Appends a site and records it (the index is saved every 256 puts and on flush/close). */
  put(key: string, digest: string, data: Uint8Array): void {
    if (data.length !== this.siteBytes) {
      throw inputError(
        `site ${key}: ${data.length} bytes, the cache holds ${this.siteBytes} per site`,
      );
    }
    const offset = this.end;
    fs.writeSync(this.fd, data, 0, data.length, offset);
    this.end += data.length;
    this.index.entries[key] = { offset, digest };
    if (++this.dirty >= 256) this.flush();
  }

  flush(): void {
    if (this.dirty === 0 || this.closed) return;
    fs.fsyncSync(this.fd);
    writeFileAtomicSync(indexPath(this.file), JSON.stringify(this.index));
    this.dirty = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
  }

  /**
   * The site at the cache's resolution: from the cache when its sources are unchanged, else
   * decoded (and resized) from the PNGs and added. `digest` may be passed when already known.
   */
  async get(
    root: string,
    key: string,
    relPaths: readonly string[],
    digest = siteDigest(root, relPaths),
  ): Promise<RawSite> {
    const r = this.resolution;
    const offset = this.lookup(key, digest);
    if (offset !== null) {
      this.stats.hits++;
      return { width: r, height: r, data: this.read(offset) };
    }
    this.stats.misses++;
    const site = await loadRawSite(root, relPaths, { size: r });
    this.put(key, digest, site.data);
    return site;
  }
}

function indexPath(file: string): string {
  return `${file}.index.json`;
}
