// Index-time check for flat channel images (all-black or constant): a size prefilter on data the
// indexer already has (file size, PNG width×height), then a sharp decode of the few candidates.
// Such images are recorded as 'flat-channel' problems in their plate's scope.
import type { Catalog } from '../db';
import type { Problem } from '../../dataset/metadata';
import { throwIfCancelled } from '../../errors';
import { channelStats } from '../../imaging/normalize';
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
  // Stored sizes, read once per plate and only when the scan brought no headers (a changed plate).
  let known: Map<
    string,
    { width: number | null; height: number | null; bit_depth: number | null }
  > | null = null;
  const stored = () =>
    (known ??= new Map(
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
    ));
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
      const row = stored().get(rel);
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
 * Decodes the candidates of one plate (4 at a time, as the 8-bit planes training sees: 16-bit
 * scaled by 1/257) and returns a 'flat-channel' problem for each whose pixel std is under FLAT_STD
 * grey levels; past FLAT_LISTED_PER_PLATE, one counted entry stands for the rest. A raw decode plus
 * a histogram costs 3–8× less than sharp's stats(). Undecodable files are left to the other checks.
 */
export async function flatChannelProblems(
  root: string,
  candidates: readonly FlatCandidate[],
  signal?: AbortSignal,
): Promise<Problem[]> {
  if (candidates.length === 0) return [];
  // Loaded on first use: most indexes have no candidate, and sharp costs the indexer's start-up.
  const { decodeChannel } = await import('../../imaging/decode');
  const problems: Array<Problem | null> = new Array<Problem | null>(candidates.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      throwIfCancelled(signal);
      const i = next++;
      const { path: rel, bitDepth } = candidates[i]!;
      try {
        const plane = await decodeChannel(`${root}/${rel}`);
        const st = channelStats(plane.data, 1);
        const [mean, std] = [st.mean[0]!, st.std[0]!];
        const scale = bitDepth > 8 ? ' on the 0–255 scale' : '';
        if (std < FLAT_STD)
          problems[i] = {
            kind: 'flat-channel',
            path: rel,
            message:
              std === 0
                ? `flat channel: every pixel is ${Math.round(mean)}${scale}${mean === 0 ? ' (all black)' : ''}`
                : `near-constant channel: std ${std.toFixed(2)} grey levels (mean ${mean.toFixed(1)}${scale}); normalising by it would amplify noise`,
          };
      } catch {
        // Not decodable: the header/corrupt checks report what they can.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, candidates.length) }, () => worker()));
  return summarizeFlat(problems.filter((p): p is Problem => p !== null));
}

/** Flat images listed one by one per plate; past this many, one summary entry counts the rest. */
export const FLAT_LISTED_PER_PLATE = 24;

/** Keeps the first FLAT_LISTED_PER_PLATE problems and folds the rest into one counted entry. */
function summarizeFlat(problems: Problem[]): Problem[] {
  if (problems.length <= FLAT_LISTED_PER_PLATE) return problems;
  const rest = problems.slice(FLAT_LISTED_PER_PLATE);
  const dir = rest[0]!.path.slice(0, rest[0]!.path.lastIndexOf('/'));
  return [
    ...problems.slice(0, FLAT_LISTED_PER_PLATE),
    {
      kind: 'flat-channel',
      path: dir,
      message: `${rest.length} more flat channel images in this plate (first: ${rest[0]!.path.slice(dir.length + 1)})`,
      count: rest.length,
    },
  ];
}
