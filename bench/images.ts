// Image throughput on a demo-like dataset, all in one run so the ratios compare like with like:
// (a) plain sharp decode of a site's 6 PNGs, (b) our loadSite with per-image normalisation,
// (c) reads from the decoded-site cache, (d) plate-sprite thumbnails (plus a 308-well plate
// cold/warm). Prints JSON. Standalone: node bin/run-ts.js bench/images.ts [--rounds 5] [--concurrency 4]
// With --size S (e.g. 512): decode scaling of the training pipeline instead, see images-scaling.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { siteRelPaths } from '../src-main/core/dataset/layout';
import { usedWells } from '../src-main/core/dataset/plate';
import { DecodedSiteCache } from '../src-main/core/imaging/decoded-cache';
import { rxrx1DefaultDisplay, toggleChannel } from '../src-main/core/imaging/display';
import { writeFixtureSites } from '../test-support/imaging/fixtures';
import { loadSite } from '../src-main/core/imaging/load-site';
import { plateSprite } from '../src-main/core/imaging/thumbnails';
import { createBatchStream } from '../src-main/core/imaging/pipeline/batch-stream';
import { benchImagesScaling } from './images-scaling';

export interface BenchImagesOptions {
  /** Existing dataset root to measure; default: a fresh synthetic one in a temp dir. */
  dataDir?: string;
  preset?: 'demo' | 'tiny';
  /** Timed rounds per method (methods alternate; the median round counts). Default 5. */
  rounds?: number;
  /** Sites in flight at once. Default 4. */
  concurrency?: number;
  /** Also time a full 308-well plate sprite (128 px sources). Default true. */
  fullPlate?: boolean;
  keep?: boolean;
  log?: (line: string) => void;
  /** With a size: the decode-scaling bench at that size instead (see images-scaling.ts). */
  size?: number;
  /** Decode workers for the scaling bench: N → 1, 2, N; or a list. */
  workers?: number | number[];
  /** Sites per pass of the scaling bench. */
  sites?: number;
}

interface Site {
  key: string;
  relPaths: string[];
  experiment: string;
  plate: number;
  well: string;
  site: number;
}

/** Complete 6-channel sites under train/ and test/ of a dataset root. */
function findSites(root: string): Site[] {
  const out: Site[] = [];
  for (const split of ['train', 'test'] as const) {
    const sd = path.join(root, split);
    if (!fs.existsSync(sd)) continue;
    for (const experiment of fs.readdirSync(sd).sort()) {
      for (const plateDir of fs.readdirSync(path.join(sd, experiment)).sort()) {
        const m = /^Plate(\d+)$/.exec(plateDir);
        if (!m) continue;
        const files = new Set(fs.readdirSync(path.join(sd, experiment, plateDir)));
        const seen = new Set<string>();
        for (const f of [...files].sort()) {
          const fm = /^([A-P]\d{2})_s(\d+)_w1\.png$/.exec(f);
          if (!fm || seen.has(f)) continue;
          seen.add(f);
          const ref = { split, experiment, plate: Number(m[1]), well: fm[1]!, site: Number(fm[2]) };
          const relPaths = siteRelPaths(ref);
          if (relPaths.every((r) => files.has(path.basename(r)))) {
            out.push({
              key: `${split}/${experiment}/${ref.plate}/${ref.well}/${ref.site}`,
              relPaths,
              ...ref,
            });
          }
        }
      }
    }
  }
  return out;
}

async function makeDataset(
  dir: string,
  preset: 'demo' | 'tiny',
  log: (l: string) => void,
): Promise<string> {
  try {
    const synth = await import('../src-main/core/dataset/synth/index');
    // Without the demo's filled plate 1: the bench's 104 sites per experiment stay what they were.
    await synth.generateSynthDataset({
      preset,
      outDir: dir,
      experiments: { train: 1, test: 1 },
      fillPlates: [],
    });
    return `synth ${preset} (1 train + 1 test experiment)`;
  } catch (err) {
    log(
      `synth generator unavailable (${(err as Error).message}); writing an imaging fixture instead`,
    );
    const refs = usedWells()
      .slice(0, 26)
      .flatMap((well) =>
        [1, 2, 3, 4].flatMap((plate) =>
          [1, 2].map((site) => ({
            split: 'train' as const,
            experiment: 'HUVEC-01',
            plate,
            well,
            site,
          })),
        ),
      );
    await writeFixtureSites(dir, refs, { size: 128 });
    return 'imaging fixture (104 sites of 128 px)';
  }
}

/** Items per second of wall time, and process CPU milliseconds (all threads) per item. */
async function timed(
  items: number,
  fn: () => Promise<void>,
): Promise<{ perSec: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return {
    perSec: items / ((performance.now() - t0) / 1000),
    cpuMs: (c.user + c.system) / 1000 / items,
  };
}

async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

export async function benchImages(opts: BenchImagesOptions = {}) {
  if (opts.size !== undefined)
    return benchImagesScaling({
      dataDir: opts.dataDir,
      size: opts.size,
      workers: opts.workers,
      sites: opts.sites,
      keep: opts.keep,
      log: opts.log,
    });
  const log = opts.log ?? ((l: string) => console.error(l));
  const rounds = opts.rounds ?? 5;
  const conc = opts.concurrency ?? 4;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-bench-images-'));
  try {
    let root = opts.dataDir;
    let dataset = `given: ${root}`;
    if (!root) {
      root = path.join(tmp, 'data');
      dataset = await makeDataset(root, opts.preset ?? 'demo', log);
    }
    const sites = findSites(root);
    if (sites.length === 0) throw new Error(`no complete sites under ${root}`);
    const meta = await sharp(path.join(root, sites[0]!.relPaths[0]!)).metadata();
    const size = meta.width ?? 0;
    log(`${sites.length} sites of ${size}×${meta.height} px (${dataset})`);
    const abs = sites.map((s) => s.relPaths.map((r) => path.join(root!, r)));

    // The decoded cache is filled once (untimed: that pass costs a decode per site).
    const cacheFile = path.join(tmp, `decoded-${size}.bin`);
    const cache = DecodedSiteCache.open(cacheFile, size);
    for (const s of sites) await cache.get(root, s.key, s.relPaths);
    cache.flush();
    const offsets = sites.map((s) => cache.lookup(s.key, cache.digestFor(root!, s.relPaths))!);
    const buf = new Uint8Array(cache.siteBytes);

    const runs: Record<string, Array<{ perSec: number; cpuMs: number }>> = {
      rawDecode: [],
      rawDecodeBw: [],
      loadSitePerImage: [],
      cacheRead: [],
    };
    const methods: Array<[string, () => Promise<unknown>]> = [
      [
        'rawDecode',
        () => pool(abs, conc, (files) => Promise.all(files.map((f) => sharp(f).raw().toBuffer()))),
      ],
      [
        'rawDecodeBw',
        () =>
          pool(abs, conc, (files) =>
            Promise.all(files.map((f) => sharp(f).toColourspace('b-w').raw().toBuffer())),
          ),
      ],
      [
        'loadSitePerImage',
        () => pool(sites, conc, (s) => loadSite(root!, s.relPaths, { normalization: 'per-image' })),
      ],
      [
        'cacheRead',
        async () => {
          for (const off of offsets) cache.read(off, buf);
        },
      ],
    ];
    for (let r = 0; r < rounds + 1; r++) {
      // Round 0 warms up files, JIT and sharp; the order rotates so no method always runs first.
      for (let k = 0; k < methods.length; k++) {
        const [name, fn] = methods[(k + r) % methods.length]!;
        const t = await timed(sites.length, async () => {
          await fn();
        });
        if (r > 0) runs[name]!.push(t);
      }
    }
    cache.close();
    const sps = Object.fromEntries(
      Object.entries(runs).map(([k, v]) => [k, round(median(v.map((x) => x.perSec)))]),
    ) as Record<string, number>;
    const cpu = Object.fromEntries(
      Object.entries(runs).map(([k, v]) => [k, round(median(v.map((x) => x.cpuMs)), 3)]),
    ) as Record<string, number>;

    // (d) Thumbnails: cold sprites of every plate in the dataset (fresh cache dir each round).
    const plates = [...new Set(sites.map((s) => `${s.experiment}|${s.plate}`))];
    const display = rxrx1DefaultDisplay();
    const thumbRuns: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const cacheDir = path.join(tmp, `thumbs-${r}`);
      let wells = 0;
      const t0 = performance.now();
      for (const p of plates) {
        const [experiment, plate] = p.split('|') as [string, string];
        const list = sites.filter(
          (s) => s.experiment === experiment && s.plate === Number(plate) && s.site === 1,
        );
        wells += list.length;
        await plateSprite({
          root,
          wells: list.map((s) => ({ well: s.well, relPaths: s.relPaths })),
          experiment,
          plate: Number(plate),
          size: 96,
          display,
          cacheDir,
        });
      }
      thumbRuns.push(wells / ((performance.now() - t0) / 1000));
    }

    // (e) The training pipeline (worker thread, decoded cache): epoch 0 fills the cache, then
    // the cached epochs are timed with a consumer that does nothing.
    const samples = sites.map((s, i) => ({
      relPaths: s.relPaths,
      label: i % 7,
      siteKey: s.key,
      experiment: s.experiment,
      plate: s.plate,
    }));
    const crop = Math.max(16, Math.floor((size * 3) / 4));
    const epochTimes: number[] = [];
    let last = performance.now();
    let epochSeen = -1;
    for await (const b of createBatchStream({
      root,
      samples,
      imageSize: size,
      cropSize: crop,
      batchSize: 32,
      shuffle: true,
      seed: 1,
      augment: { d4: true, intensityJitter: 0.1 },
      normalization: 'per-image',
      cacheFile: path.join(tmp, 'pipeline', `decoded-${size}.bin`),
      epochs: rounds + 1,
    })) {
      if (b.epoch !== epochSeen) {
        const now = performance.now();
        if (epochSeen >= 0) epochTimes.push(now - last);
        last = now;
        epochSeen = b.epoch;
      }
    }
    epochTimes.push(performance.now() - last);
    const pipeline = {
      crop,
      batchSize: 32,
      firstEpochSamplesPerSecond: round(sites.length / (epochTimes[0]! / 1000)),
      cachedEpochSamplesPerSecond: round(
        median(epochTimes.slice(1).map((ms) => sites.length / (ms / 1000))),
      ),
    };

    let fullPlate: Record<string, number> | null = null;
    if (opts.fullPlate ?? true) {
      const froot = path.join(tmp, 'plate308');
      const refs = usedWells().map((well) => ({
        split: 'train' as const,
        experiment: 'HUVEC-01',
        plate: 1,
        well,
        site: 1,
      }));
      await writeFixtureSites(froot, refs, { size: 128 });
      const wells = refs.map((r) => ({ well: r.well, relPaths: siteRelPaths(r) }));
      const cold: number[] = [];
      const coldCpu: number[] = [];
      const warm: number[] = [];
      const redisplay: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const cacheDir = path.join(tmp, `sprite308-${r}`);
        const base = {
          root: froot,
          wells,
          experiment: 'HUVEC-01',
          plate: 1,
          size: 96,
          display,
          cacheDir,
        };
        const c0 = process.cpuUsage();
        let t0 = performance.now();
        await plateSprite(base);
        cold.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        coldCpu.push((c.user + c.system) / 1000);
        t0 = performance.now();
        const again = await plateSprite(base);
        warm.push(performance.now() - t0);
        if (!again.cached) throw new Error('warm sprite was not served from the cache');
        t0 = performance.now();
        await plateSprite({ ...base, display: toggleChannel(display, 1) });
        redisplay.push(performance.now() - t0);
      }
      fullPlate = {
        wells: 308,
        sourcePx: 128,
        cellPx: 96,
        coldMs: round(median(cold), 0),
        coldCpuMs: round(median(coldCpu), 0),
        newDisplayMs: round(median(redisplay), 0),
        warmMs: round(median(warm), 1),
      };
    }

    const ratios = {
      loadVsRawDecode: round(sps.loadSitePerImage! / sps.rawDecode!, 2),
      loadVsRawDecodeByCpu: round(cpu.rawDecode! / cpu.loadSitePerImage!, 2),
      loadVsRawDecodeBwByCpu: round(cpu.rawDecodeBw! / cpu.loadSitePerImage!, 2),
      loadVsRawDecodeBw: round(sps.loadSitePerImage! / sps.rawDecodeBw!, 2),
      cacheVsRawDecode: round(sps.cacheRead! / sps.rawDecode!, 1),
    };
    return {
      bench: 'images',
      machine: {
        cpus: os.cpus().length,
        loadavg: os.loadavg().map((x) => round(x, 2)),
        node: process.version,
        sharp: sharp.versions.sharp,
      },
      dataset: { source: dataset, sites: sites.length, imagePx: size, plates: plates.length },
      concurrency: conc,
      rounds,
      sitesPerSecond: sps,
      cpuMsPerSite: cpu,
      pipeline,
      thumbnails: { wellsPerSecond: round(median(thumbRuns)), cellPx: 96, fullPlate },
      ratios,
      goals: {
        loadAtLeast0_9xRaw: ratios.loadVsRawDecode >= 0.9,
        cacheAtLeast10xRaw: ratios.cacheVsRawDecode >= 10,
        plate308ColdUnder1s: fullPlate ? fullPlate.coldMs! < 1000 : null,
        plate308WarmUnder100ms: fullPlate ? fullPlate.warmMs! < 100 : null,
      },
      notes:
        'rawDecode = sharp(file).raw() per channel, 6 in parallel per site; rawDecodeBw = the same with ' +
        "toColourspace('b-w') (libvips' cheapest single-band output). loadSitePerImage includes interleaving " +
        'and per-image normalisation to float32. cacheRead = one positional read per site. ' +
        'cpuMsPerSite = process CPU time (all threads) per site; the ByCpu ratios are throughput ratios ' +
        'at equal CPU, robust when other processes share the cores.',
    };
  } finally {
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const val = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = await benchImages({
    dataDir: val('--data-dir'),
    preset: val('--preset') as 'demo' | 'tiny' | undefined,
    rounds: val('--rounds') ? Number(val('--rounds')) : undefined,
    concurrency: val('--concurrency') ? Number(val('--concurrency')) : undefined,
    fullPlate: !args.includes('--no-full-plate'),
  });
  console.log(JSON.stringify(out, null, 2));
}
