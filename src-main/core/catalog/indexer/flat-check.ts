// Index-time check for flat channel images (all-black or constant): a size prefilter on data the
// indexer already has (file size, PNG width×height), then a sharp decode of the few candidates.
// Such images are recorded as 'flat-channel' problems in their plate's scope.
import type { Catalog } from '../db';
import type { Problem } from '../../dataset/metadata';
import { throwIfCancelled } from '../../errors';
import { FLAT_STD } from '../../imaging/stats-fallback';
import { PNG_HEADER_BYTES, readPngHeaderSync } from './png-header';
import { cachedStatement } from './statements';
import type { PlateDir, PlateScan } from './walk';

/**
 * A PNG can only be flat when it compresses to under this many bytes per pixel and byte of sample
 * (+ the fixed overhead below). Measured with sharp: a constant 512×512 PNG is 1.9–2.6 kB at 8 bits
 * (0.007–0.010 B/px, zlib level 9–1) and 7.8 kB at 16 bits, level 1 (0.015 B/px per sample byte);
 * the real RxRx1 channel images are 40–177 kB (0.15–0.67 B/px); 1-bit noise on a constant 0.23 B/px.
 */
export const FLAT_BYTES_PER_PIXEL = 0.03;
/** Signature, IHDR, IEND and zlib framing: what any PNG costs before its pixels. */
export const FLAT_BYTES_OVERHEAD = 64;

/**
 * The size prefilter: true when a `bytes`-long PNG of width×height at `bitDepth` could be flat:
 * bytes < FLAT_BYTES_PER_PIXEL × width × height × ⌈bitDepth / 8⌉ + FLAT_BYTES_OVERHEAD.
 */
export function mayBeFlat(bytes: number, width: number, height: number, bitDepth = 8): boolean {
  const sampleBytes = Math.max(1, Math.ceil(bitDepth / 8));
  return bytes < FLAT_BYTES_PER_PIXEL * width * height * sampleBytes + FLAT_BYTES_OVERHEAD;
}

/** A PNG to decode: path relative to the root and its bit depth. */
export interface FlatCandidate {
  path: string;
  bitDepth: number;
}

const headerBuf = Buffer.alloc(PNG_HEADER_BYTES);

/**
 * Paths (relative to the root) of the plate's PNGs that pass the size prefilter. Width and height
 * come from the scan's headers (new plates), else the catalog's row for the file, else the file's
 * header: no pixel is decoded here.
 */
export function flatCandidates(
  db: Catalog,
  root: string,
  plate: PlateDir,
  scan: PlateScan,
): FlatCandidate[] {
  const known = new Map(
    (
      cachedStatement(
        db,
        'SELECT path, width, height, bit_depth FROM images WHERE path >= ? AND path < ? AND ok = 1',
      ).all(`${plate.dir}/`, `${plate.dir}0`) as Array<{
        path: string;
        width: number | null;
        height: number | null;
        bit_depth: number | null;
      }>
    ).map((r) => [r.path, r]),
  );
  const out: FlatCandidate[] = [];
  for (const f of scan.files) {
    if (!f.name.toLowerCase().endsWith('.png')) continue;
    const rel = `${plate.dir}/${f.name}`;
    // Cheapest first: even a 4096×4096 image this size could not be flat.
    if (!mayBeFlat(f.size, 4096, 4096, 16)) continue;
    const scanned = scan.headers?.get(f.name);
    let dims: { width: number; height: number; bitDepth: number } | null = null;
    if (scanned) dims = scanned.ok ? scanned.header : null;
    else {
      const row = known.get(rel);
      if (row?.width && row.height)
        dims = { width: row.width, height: row.height, bitDepth: row.bit_depth ?? 8 };
      else {
        const read = readPngHeaderSync(`${root}/${rel}`, headerBuf);
        dims = read.ok ? read.header : null;
      }
    }
    if (dims && mayBeFlat(f.size, dims.width, dims.height, dims.bitDepth))
      out.push({ path: rel, bitDepth: dims.bitDepth });
  }
  return out;
}

/**
 * Decodes the candidates (4 at a time) and returns a 'flat-channel' problem for each whose pixel
 * std is under FLAT_STD grey levels (0–255 scale). Undecodable files are left to the other checks.
 */
export async function flatChannelProblems(
  root: string,
  candidates: readonly FlatCandidate[],
  signal?: AbortSignal,
): Promise<Problem[]> {
  if (candidates.length === 0) return [];
  // Loaded on first use: most indexes have no candidate, and sharp costs the indexer's start-up.
  const { default: sharp } = await import('sharp');
  const problems: Array<Problem | null> = new Array<Problem | null>(candidates.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      throwIfCancelled(signal);
      const i = next++;
      const { path: rel, bitDepth } = candidates[i]!;
      try {
        const st = await sharp(`${root}/${rel}`, { failOn: 'error' }).stats();
        const ch = st.channels[0]!;
        // sharp reports 16-bit images on their own scale: bring the std to 0–255.
        const scale = bitDepth > 8 ? 255 / 65535 : 1;
        const std = ch.stdev * scale;
        if (std < FLAT_STD)
          problems[i] = {
            kind: 'flat-channel',
            path: rel,
            message:
              ch.min === ch.max
                ? `flat channel: every pixel is ${ch.min}${ch.min === 0 ? ' (all black)' : ''}`
                : `near-constant channel: std ${std.toFixed(2)} grey levels (mean ${(ch.mean * scale).toFixed(1)}); normalising by it would amplify noise`,
          };
      } catch {
        // Not decodable: the header/corrupt checks report what they can.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, candidates.length) }, () => worker()));
  return problems.filter((p): p is Problem => p !== null);
}
