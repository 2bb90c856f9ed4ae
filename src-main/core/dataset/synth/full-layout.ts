// The full-layout preset: every well of the real RxRx1 2019 metadata with the real labels and
// positions, and tiny placeholder PNGs taken from a small pool encoded once, so that writing
// 753,060 files costs little more than the file-system calls. For index-scale benchmarks.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { inputError, throwIfCancelled } from '../../errors';
import { CHANNELS, SITES, parseWellName } from '../plate';
import { csvLine, csvText } from './csv';
import { encodeGrayPng } from './generate-rendered';
import {
  STAGING_DIR,
  commitPlate,
  discardStaging,
  finishOutDir,
  prepareOutDir,
  stagePlate,
} from './output';
import { PIXEL_STATS_HEADER, pixelStats, pixelStatsFields } from './pixel-stats';
import { FULL_LAYOUT_IMAGE_SIZE } from './presets';
import { Rng } from './prng';
import { addSpot } from './raster';
import type { SynthOptions, SynthSummary } from './types';
import { writeFileAtomicSync } from '../../util/atomic-write';

type Row = Record<string, string>;

interface MetadataFile {
  name: string;
  split: 'train' | 'test';
  columns: string[];
  required: boolean;
}

const METADATA: MetadataFile[] = [
  {
    name: 'train.csv',
    split: 'train',
    columns: ['id_code', 'experiment', 'plate', 'well', 'sirna'],
    required: true,
  },
  {
    name: 'train_controls.csv',
    split: 'train',
    columns: ['id_code', 'experiment', 'plate', 'well', 'sirna', 'well_type'],
    required: true,
  },
  {
    name: 'test.csv',
    split: 'test',
    columns: ['id_code', 'experiment', 'plate', 'well'],
    required: true,
  },
  {
    name: 'test_controls.csv',
    split: 'test',
    columns: ['id_code', 'experiment', 'plate', 'well', 'sirna', 'well_type'],
    required: true,
  },
  { name: 'sample_submission.csv', split: 'test', columns: ['id_code', 'sirna'], required: false },
];

/** Variants per channel in the pre-encoded pool. */
const POOL_VARIANTS = 6;

function readRealCsv(dir: string, meta: MetadataFile): Row[] | null {
  const file = path.join(dir, meta.name);
  if (!fs.existsSync(file)) {
    if (meta.required)
      throw inputError(
        `full-layout needs ${file} (the real RxRx1 2019 ${meta.name}), but it is missing`,
      );
    return null;
  }
  let rows: Row[];
  try {
    rows = parse(fs.readFileSync(file, 'utf8'), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
    }) as Row[];
  } catch (err) {
    throw inputError(`${file} is not a readable CSV: ${(err as Error).message}`);
  }
  const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const missing = meta.columns.filter((c) => !header.includes(c));
  if (rows.length > 0 && missing.length > 0)
    throw inputError(
      `${file} lacks column(s) ${missing.join(', ')}; expected the RxRx1 2019 header ${meta.columns.join(',')}`,
    );
  rows.forEach((r, i) => {
    if (meta.name === 'sample_submission.csv') return;
    if (!/^\d+$/.test(r.plate ?? '') || !parseWellName(r.well ?? '') || !r.experiment)
      throw inputError(
        `${file} line ${i + 2}: bad experiment/plate/well "${r.experiment},${r.plate},${r.well}"`,
      );
  });
  return rows;
}

/** Small gray blobs, a different look per variant and channel; never read for content. */
function buildPool(size: number, seed: number): Promise<{ png: Buffer; stats: string }[][]> {
  const rng = new Rng(seed, 11);
  return Promise.all(
    Array.from({ length: CHANNELS }, () =>
      Promise.all(
        Array.from({ length: POOL_VARIANTS }, async () => {
          const canvas = new Float32Array(size * size);
          const spots = rng.int(1, 3);
          for (let k = 0; k < spots; k++)
            addSpot(
              canvas,
              size,
              rng.range(0, size),
              rng.range(0, size),
              rng.range(0.8, 2) * (size / 8),
              rng.range(40, 160),
            );
          const bg = rng.range(3, 15);
          const px = new Uint8Array(size * size);
          for (let i = 0; i < px.length; i++)
            px[i] = Math.min(255, Math.round(canvas[i]! + bg + rng.range(-2, 2)));
          return {
            png: await encodeGrayPng(px, size),
            stats: pixelStatsFields(pixelStats(px)).join(','),
          };
        }),
      ),
    ),
  );
}

export async function generateFullLayout(opts: SynthOptions, seed: number): Promise<SynthSummary> {
  const started = performance.now();
  const realDir = opts.realMetadataDir;
  if (!realDir)
    throw inputError(
      'the full-layout preset needs realMetadataDir: a folder with the real RxRx1 train.csv, test.csv, train_controls.csv and test_controls.csv',
    );
  const size = opts.imageSize ?? FULL_LAYOUT_IMAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > 256)
    throw inputError(`imageSize ${size} must be an integer from 1 to 256 for full-layout`);
  if (
    opts.limitPlates !== undefined &&
    (!Number.isInteger(opts.limitPlates) || opts.limitPlates < 1)
  )
    throw inputError(`limitPlates ${opts.limitPlates} must be a positive integer`);

  const tables = new Map<string, Row[] | null>();
  for (const meta of METADATA) tables.set(meta.name, readRealCsv(realDir, meta));

  // Plates in order of first appearance per split; limitPlates keeps the first N of each split.
  const keep = new Set<string>();
  for (const split of ['train', 'test'] as const) {
    const seen: string[] = [];
    for (const meta of METADATA.filter(
      (m) => m.split === split && m.name !== 'sample_submission.csv',
    ))
      for (const r of tables.get(meta.name) ?? []) {
        const key = `${split}/${r.experiment}/${Number(r.plate)}`;
        if (
          !seen.includes(key) &&
          (opts.limitPlates === undefined || seen.length < opts.limitPlates)
        )
          seen.push(key);
      }
    seen.forEach((k) => keep.add(k));
  }
  const kept = (split: string, r: Row): boolean =>
    keep.has(`${split}/${r.experiment}/${Number(r.plate)}`);

  // Wells grouped by plate, in file order (treatments then controls), each well once.
  const plates = new Map<
    string,
    {
      split: 'train' | 'test';
      experiment: string;
      plate: number;
      wells: string[];
      seen: Set<string>;
    }
  >();
  for (const meta of METADATA.filter((m) => m.name !== 'sample_submission.csv')) {
    for (const r of tables.get(meta.name) ?? []) {
      if (!kept(meta.split, r)) continue;
      const key = `${meta.split}/${r.experiment}/${Number(r.plate)}`;
      let p = plates.get(key);
      if (!p) {
        p = {
          split: meta.split,
          experiment: r.experiment!,
          plate: Number(r.plate),
          wells: [],
          seen: new Set(),
        };
        plates.set(key, p);
      }
      if (!p.seen.has(r.well!)) {
        p.seen.add(r.well!);
        p.wells.push(r.well!);
      }
    }
  }

  const outDir = path.resolve(opts.outDir);
  if (path.resolve(realDir) === outDir)
    throw inputError(`output folder ${outDir} is the real metadata folder; choose another`);
  const markerBase = {
    generator: 'platelab-synth',
    version: 1,
    preset: 'full-layout',
    seed,
    imageSize: size,
    limitPlates: opts.limitPlates ?? null,
  };
  prepareOutDir(outDir, markerBase);
  const pool = await buildPool(size, seed);

  const totalWells = [...plates.values()].reduce((a, p) => a + p.wells.length, 0);
  const statsTmp = path.join(outDir, STAGING_DIR, `pixel_stats.csv.tmp-${process.pid}`);
  fs.mkdirSync(path.dirname(statsTmp), { recursive: true });
  const statsFd = fs.openSync(statsTmp, 'w');
  let doneWells = 0;
  let counter = 0;
  opts.onProgress?.(0, totalWells, 'starting');
  try {
    fs.writeSync(statsFd, csvLine(PIXEL_STATS_HEADER));
    for (const p of plates.values()) {
      throwIfCancelled(opts.signal);
      const dir = stagePlate(outDir, p.split, p.experiment, p.plate);
      let stats = '';
      for (const well of p.wells) {
        for (let site = 1; site <= SITES; site++) {
          for (let c = 1; c <= CHANNELS; c++) {
            // A cheap deterministic spread over the pool (seed-dependent start).
            counter = (Math.imul(counter, 1103515245) + 12345 + seed) >>> 0;
            const v = pool[c - 1]![(counter >>> 16) % POOL_VARIANTS]!;
            fs.writeFileSync(path.join(dir, `${well}_s${site}_w${c}.png`), v.png);
            stats += `${p.experiment},${p.plate},${well},${site},${c},${v.stats}\n`;
          }
        }
      }
      commitPlate(outDir, p.split, p.experiment, p.plate);
      fs.writeSync(statsFd, stats);
      doneWells += p.wells.length;
      opts.onProgress?.(doneWells, totalWells, `${p.split}/${p.experiment}/Plate${p.plate}`);
      // Sync writes are the fastest path; yield between plates so a server stays responsive.
      await new Promise((resolve) => setImmediate(resolve));
    }
    fs.closeSync(statsFd);
  } catch (err) {
    try {
      fs.closeSync(statsFd);
    } catch {
      // already closed
    }
    discardStaging(outDir);
    throw err;
  }

  // Metadata last, rows copied as they are (header order as in RxRx1).
  const testIds = new Set<string>();
  for (const meta of METADATA) {
    const rows = tables.get(meta.name);
    if (meta.name === 'sample_submission.csv') continue;
    const keptRows = (rows ?? []).filter((r) => kept(meta.split, r));
    if (meta.name === 'test.csv') keptRows.forEach((r) => testIds.add(r.id_code!));
    writeFileAtomicSync(
      path.join(outDir, meta.name),
      csvText(
        meta.columns,
        keptRows.map((r) => meta.columns.map((c) => r[c] ?? '')),
      ),
    );
  }
  const realSubmission = tables.get('sample_submission.csv');
  const submission = realSubmission
    ? realSubmission
        .filter((r) => testIds.has(r.id_code ?? ''))
        .map((r) => [r.id_code!, r.sirna ?? '0'])
    : [...testIds].map((id) => [id, '0']);
  writeFileAtomicSync(
    path.join(outDir, 'sample_submission.csv'),
    csvText(['id_code', 'sirna'], submission),
  );
  fs.renameSync(statsTmp, path.join(outDir, 'pixel_stats.csv'));

  const classes = new Set<string>();
  for (const name of ['train.csv', 'train_controls.csv', 'test_controls.csv'])
    for (const r of tables.get(name) ?? [])
      if (kept(name.startsWith('train') ? 'train' : 'test', r)) classes.add(r.sirna!);
  const experiments = new Set([...plates.values()].map((p) => `${p.split}/${p.experiment}`));
  const summary: SynthSummary = {
    preset: 'full-layout',
    outDir,
    experiments: experiments.size,
    plates: plates.size,
    wells: totalWells,
    sites: totalWells * SITES,
    images: totalWells * SITES * CHANNELS,
    classes: classes.size,
    seconds: (performance.now() - started) / 1000,
  };
  finishOutDir(outDir, {
    ...markerBase,
    summary: { ...summary, seconds: undefined, outDir: undefined },
  });
  return summary;
}
