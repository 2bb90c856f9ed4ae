// The decoded-site cache: one binary file per dataset and resolution holding uint8 H×W×6 sites in
// fixed-size slots, plus `<file>.index.json` (site key → offset and the digest of the site's source
// files, least recently used first). The file never grows past a disk budget: when full, the least
// recently used sites are evicted and their slots reused. One index owner (this class, on the
// trainer's thread); pipeline workers read and fill slots through `SiteSlots` at offsets it hands out.
import fs from 'node:fs';
import path from 'node:path';
import { CHANNELS } from '../dataset/plate';
import { inputError } from '../errors';
import { writeFileAtomicSync } from '../util/atomic-write';
import { fingerprint } from './files';
import crypto from 'node:crypto';
import { loadRawSite, type RawSite } from './load-site';

const VERSION = 1;
const GiB = 1024 ** 3;

/** Default disk budget of one decoded-site cache file: 20 GiB (≈13,600 sites at 512², 6 channels). */
export const DEFAULT_CACHE_BUDGET_BYTES = 20 * GiB;
/** The cache never grows while the disk would keep less than this free: 2 GiB. */
export const DEFAULT_MIN_FREE_BYTES = 2 * GiB;

interface IndexFile {
  version: number;
  resolution: number;
  channels: number;
  siteBytes: number;
  /** Least recently used first (JSON keeps the insertion order of non-numeric keys). */
  entries: Record<string, { offset: number; digest: string }>;
}

export interface DecodedCacheStats {
  hits: number;
  misses: number;
  stale: number;
  /** Sites dropped to stay within the budget (least recently used first). */
  evicted: number;
}

export interface CacheLimits {
  /** Most bytes the data file may hold; default DEFAULT_CACHE_BUDGET_BYTES. */
  budgetBytes?: number;
  /** Stop growing while the disk would keep less than this free; default DEFAULT_MIN_FREE_BYTES. */
  minFreeBytes?: number;
  /** Free bytes on the cache's disk (tests simulate a full disk); default fs.statfsSync. */
  freeBytes?: (dir: string) => number;
}

/**
 * What to do with one site: `hit` = read the slot at `offset`; `fill` = decode, then write the
 * site at `offset`; `skip` = decode without caching (another fill of it is in flight, or every
 * slot is in use). Every ticket goes back through `settle` once its read or write is done.
 */
export interface CacheTicket {
  kind: 'hit' | 'fill' | 'skip';
  offset: number;
  key: string;
  digest: string;
}

/** Digest of a site's 6 source files (path, size, mtime). */
export function siteDigest(root: string, relPaths: readonly string[]): string {
  const h = crypto.createHash('sha1');
  for (const rel of relPaths) h.update(`${fingerprint(root, rel)}\n`);
  return h.digest('hex').slice(0, 24);
}

const fmtBytes = (n: number): string =>
  n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

/** Positional reads and writes of whole sites in a cache data file (any thread may open one). */
export class SiteSlots {
  private fd: number;

  constructor(
    readonly file: string,
    readonly siteBytes: number,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+');
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

  write(offset: number, data: Uint8Array): void {
    if (data.length !== this.siteBytes)
      throw inputError(
        `${this.file}: ${data.length} bytes, the cache holds ${this.siteBytes} per site`,
      );
    fs.writeSync(this.fd, data, 0, data.length, offset);
  }

  /** Flushes the written sites to the disk (before an index that names them is saved). */
  sync(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

export class DecodedSiteCache {
  readonly siteBytes: number;
  readonly stats: DecodedCacheStats = { hits: 0, misses: 0, stale: 0, evicted: 0 };
  /** Why the cache stopped growing before its budget (a nearly full disk), or null. */
  warning: string | null = null;
  /** Most slots: the budget's, or fewer once the disk ran nearly full. */
  private cap: number;
  private io: SiteSlots;
  /** key → slot, least recently used first. */
  private entries = new Map<string, { slot: number; digest: string }>();
  /** Slots in the data file (its size / siteBytes). */
  private slots: number;
  /** Slots the saved index does not name: free to overwrite. */
  private free: number[] = [];
  /** Evicted slots the saved index still names: reusable once the index is saved again. */
  private released: number[] = [];
  /** Fills in flight: key → slot. */
  private pending = new Map<string, number>();
  /** Slots being read or written by in-flight work (never evicted or reused meanwhile). */
  private pins = new Map<number, number>();
  private dirty = 0;
  private closed = false;
  private readonly minFree: number;
  private readonly freeBytes: (dir: string) => number;

  private constructor(
    readonly file: string,
    readonly resolution: number,
    readonly budgetBytes: number,
    index: IndexFile,
    limits: CacheLimits,
  ) {
    this.siteBytes = index.siteBytes;
    this.cap = Math.floor(budgetBytes / this.siteBytes);
    this.minFree = limits.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    this.freeBytes =
      limits.freeBytes ??
      ((dir) => {
        const s = fs.statfsSync(dir);
        return s.bavail * s.bsize;
      });
    this.io = new SiteSlots(file, this.siteBytes);
    for (const [key, e] of Object.entries(index.entries))
      this.entries.set(key, { slot: e.offset / this.siteBytes, digest: e.digest });
    this.slots = Math.floor(fs.statSync(file).size / this.siteBytes);
    this.shrinkToBudget();
  }

  /**
   * Opens (or creates) the cache for one resolution; an index for another layout starts afresh.
   * A cache over its budget (a lowered setting) drops its least recently used sites at once.
   * Refuses (INVALID_INPUT) when one site alone exceeds the budget.
   */
  static open(file: string, resolution: number, limits: CacheLimits = {}): DecodedSiteCache {
    if (!Number.isInteger(resolution) || resolution < 1)
      throw inputError(`cache resolution ${resolution} is not a positive integer`);
    const siteBytes = resolution * resolution * CHANNELS;
    const budget = limits.budgetBytes ?? DEFAULT_CACHE_BUDGET_BYTES;
    if (!(budget >= siteBytes))
      throw inputError(
        `decoded-site cache ${file}: one ${resolution}×${resolution}×${CHANNELS} site needs ` +
          `${fmtBytes(siteBytes)} but the cache budget is ${fmtBytes(budget)}; raise the ` +
          `decodedCacheGiB setting or train without the cache`,
      );
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
        parsed.siteBytes === siteBytes &&
        validEntries(parsed.entries, siteBytes, file)
      )
        index = parsed;
    } catch {
      // No index or an unreadable one: start empty (the data file is then just reused space).
    }
    if (index === fresh && fs.existsSync(file)) fs.truncateSync(file, 0);
    return new DecodedSiteCache(file, resolution, budget, index, limits);
  }

  /** Most sites the cache holds (its budget / siteBytes, less when the disk ran nearly full). */
  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes the data file holds now (never more than the budget). */
  get bytes(): number {
    return this.slots * this.siteBytes;
  }

  /** Site keys, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The digest `get` compares against (exposed so callers can look up without decoding). */
  digestFor(root: string, relPaths: readonly string[]): string {
    return siteDigest(root, relPaths);
  }

  /** Offset of a cached site whose sources still match `digest`, or null (no use recorded). */
  lookup(key: string, digest: string): number | null {
    const e = this.entries.get(key);
    return e && e.digest === digest ? e.slot * this.siteBytes : null;
  }

  /** Reads one site (siteBytes) at an offset into `into` (or a new array). */
  read(offset: number, into = new Uint8Array(this.siteBytes)): Uint8Array {
    return this.io.read(offset, into);
  }

  /**
   * Decides how one site is served and marks it most recently used. A stale entry (its sources
   * changed) is dropped. May evict least recently used sites to make room for a fill; throws
   * INVALID_INPUT when the disk is nearly full and the cache holds nothing it could reuse.
   */
  ticket(key: string, digest: string): CacheTicket {
    const e = this.entries.get(key);
    if (e && e.digest === digest) {
      this.stats.hits++;
      this.entries.delete(key);
      this.entries.set(key, e);
      this.pin(e.slot);
      return { kind: 'hit', offset: e.slot * this.siteBytes, key, digest };
    }
    if (e) {
      this.stats.stale++;
      this.entries.delete(key);
      this.released.push(e.slot);
      this.dirty++;
    }
    this.stats.misses++;
    const slot = this.pending.has(key) ? null : this.allocate();
    if (slot === null) return { kind: 'skip', offset: -1, key, digest };
    this.pending.set(key, slot);
    this.pin(slot);
    return { kind: 'fill', offset: slot * this.siteBytes, key, digest };
  }

  /** Ends a ticket: a hit's read is done, or a fill was written (`ok`) or abandoned. */
  settle(t: CacheTicket, ok: boolean): void {
    if (t.kind === 'skip') return;
    const slot = t.offset / this.siteBytes;
    this.unpin(slot);
    if (t.kind === 'hit') return;
    this.pending.delete(t.key);
    if (!ok || this.closed) {
      this.free.push(slot);
      return;
    }
    this.entries.set(t.key, { slot, digest: t.digest });
    if (++this.dirty >= 256) this.flush();
  }

  /** Adds a decoded site (through a ticket; `get` is the usual way in). */
  put(key: string, digest: string, data: Uint8Array): void {
    if (data.length !== this.siteBytes) {
      throw inputError(
        `site ${key}: ${data.length} bytes, the cache holds ${this.siteBytes} per site`,
      );
    }
    const t = this.ticket(key, digest);
    if (t.kind === 'hit') this.settle(t, true);
    if (t.kind !== 'fill') return;
    try {
      this.io.write(t.offset, data);
    } catch (err) {
      this.settle(t, false);
      throw err;
    }
    this.settle(t, true);
  }

  /** Saves the index (data first), after which evicted slots may be overwritten. */
  flush(): void {
    if (this.closed) return;
    if (this.dirty > 0) {
      this.io.sync();
      const entries: IndexFile['entries'] = {};
      for (const [k, e] of this.entries)
        entries[k] = { offset: e.slot * this.siteBytes, digest: e.digest };
      const index: IndexFile = {
        version: VERSION,
        resolution: this.resolution,
        channels: CHANNELS,
        siteBytes: this.siteBytes,
        entries,
      };
      writeFileAtomicSync(indexPath(this.file), JSON.stringify(index));
      this.dirty = 0;
    }
    this.free.push(...this.released);
    this.released = [];
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.io.close();
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
    const t = this.ticket(key, digest);
    let ok = false;
    try {
      if (t.kind === 'hit') {
        const data = this.read(t.offset);
        ok = true;
        return { width: r, height: r, data };
      }
      const site = await loadRawSite(root, relPaths, { size: r });
      if (t.kind === 'fill') this.io.write(t.offset, site.data);
      ok = true;
      return site;
    } finally {
      this.settle(t, ok);
    }
  }

  private pin(slot: number): void {
    this.pins.set(slot, (this.pins.get(slot) ?? 0) + 1);
  }

  private unpin(slot: number): void {
    const n = (this.pins.get(slot) ?? 1) - 1;
    if (n > 0) this.pins.set(slot, n);
    else this.pins.delete(slot);
  }

  /** A slot to fill: a free one, a new one at the end, else one freed by evicting LRU sites. */
  private allocate(): number | null {
    const i = this.free.findIndex((s) => !this.pins.has(s));
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    if (this.slots < this.capacity && this.roomToGrow()) return this.slots++;
    // Evict a chunk at once so the index is saved once per chunk, not once per site.
    const chunk = Math.max(1, Math.min(256, Math.ceil(this.capacity / 16)));
    let n = 0;
    for (const [key, e] of this.entries) {
      if (n >= chunk) break;
      if (this.pins.has(e.slot)) continue;
      this.entries.delete(key);
      this.released.push(e.slot);
      this.stats.evicted++;
      this.dirty++;
      n++;
    }
    if (n === 0 && this.released.length === 0) return null;
    this.flush();
    const j = this.free.findIndex((s) => !this.pins.has(s));
    return j >= 0 ? this.free.splice(j, 1)[0]! : null;
  }

  /** Whether one more site fits on the disk with `minFreeBytes` to spare; refuses on an empty cache. */
  private roomToGrow(): boolean {
    const avail = this.freeBytes(path.dirname(this.file));
    if (avail - this.siteBytes >= this.minFree) return true;
    const msg =
      `decoded-site cache ${this.file}: the disk has ${fmtBytes(avail)} free, and the cache ` +
      `keeps ${fmtBytes(this.minFree)} free`;
    if (this.slots === 0)
      throw inputError(
        `${msg}, so it cannot hold a single ${fmtBytes(this.siteBytes)} site; free some disk ` +
          `space, move the cache, or train without it`,
      );
    this.warning = `${msg}: it stopped growing at ${this.slots} sites (${fmtBytes(this.bytes)}) and now replaces the least recently used ones`;
    this.cap = this.slots;
    return false;
  }

  /**
   * Drops LRU sites beyond the budget and packs the rest into the first slots (moving the few
   * past the end into holes), then truncates the file: a reopened cache is dense.
   */
  private shrinkToBudget(): void {
    const used = new Set<number>();
    let over = this.entries.size - this.capacity;
    for (const [key, e] of this.entries) {
      if (over > 0) {
        this.entries.delete(key);
        this.stats.evicted++;
        this.dirty++;
        over--;
      } else used.add(e.slot);
    }
    // Save the index without the dropped sites first: moves then only write into slots the saved
    // index does not name, so a crash at any point leaves it valid.
    if (this.dirty > 0) this.flush();
    const holes: number[] = [];
    for (let s = 0; s < this.entries.size; s++) if (!used.has(s)) holes.push(s);
    for (const e of this.entries.values()) {
      if (e.slot < this.entries.size) continue;
      const to = holes.pop()!;
      this.io.write(to * this.siteBytes, this.io.read(e.slot * this.siteBytes));
      e.slot = to;
      this.dirty++;
    }
    if (this.dirty > 0) this.flush();
    const end = this.entries.size;
    if (this.slots !== end) fs.truncateSync(this.file, end * this.siteBytes);
    this.slots = end;
    this.free = [];
  }
}

/** Whether every entry names a distinct whole slot (a damaged index starts afresh). */
function validEntries(entries: IndexFile['entries'], siteBytes: number, file: string): boolean {
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const seen = new Set<number>();
  for (const e of Object.values(entries)) {
    if (!Number.isInteger(e.offset) || e.offset % siteBytes !== 0 || e.offset + siteBytes > size)
      return false;
    if (seen.has(e.offset)) return false;
    seen.add(e.offset);
  }
  return true;
}

function indexPath(file: string): string {
  return `${file}.index.json`;
}
