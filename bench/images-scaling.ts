// Decode scaling of the training pipeline at RxRx1 size (`npm run bench -- images --size 512
// --workers N`): sites/s of the batch stream (no decoded cache, 384² crops at 512², per-image
// normalisation, D4 + jitter, batches of 32) with 1, 2 … N decode workers, each next to raw sharp
// decode of the same PNGs pinned to the same cores. Each measurement runs in its own process
// (taskset to W cores, UV_THREADPOOL_SIZE = W) so the two compare like with like.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { createBatchStream } from '../src-main/core/imaging/pipeline/batch-stream';
import type { PipelineSample } from '../src-main/core/imaging/pipeline/types';

/** Sites/s a GPU training ResNet-34 on 384² crops consumes (issue 15's target). */
export const GPU_TARGET_SITES_PER_SECOND = 1000;

export interface ScalingOptions {
  /** Dataset root with train/…/PlateN/*_wK.png; default: synthetic 'tiny' sites rendered at `size`. */
  dataDir?: string;
  size: number;
  /** Worker counts to measure, or N for 1, 2 and N. Default 1, 2 and cores − 1. */
  workers?: number | number[];
  /** Sites per pass (the dataset's sites repeated); at least max(256, 160 × workers) per row. */
  sites?: number;
  keep?: boolean;
  log?: (line: string) => void;
}

interface SiteFiles {
  key: string;
  files: string[];
  experiment: string;
  plate: number;
}

/** Complete 6-channel sites under train/ and test/ of a dataset root (absolute paths). */
export function findSiteFiles(root: string): SiteFiles[] {
  const out: SiteFiles[] = [];
  for (const split of ['train', 'test']) {
    const sd = path.join(root, split);
    if (!fs.existsSync(sd)) continue;
    for (const exp of fs.readdirSync(sd).sort()) {
      for (const plateDir of fs.readdirSync(path.join(sd, exp)).sort()) {
        const m = /^Plate(\d+)$/.exec(plateDir);
        if (!m) continue;
        const dir = path.join(sd, exp, plateDir);
        const names = new Set(fs.readdirSync(dir));
        for (const f of [...names].sort()) {
          const fm = /^([A-P]\d{2}_s\d+)_w1\.png$/.exec(f);
          if (!fm) continue;
          const files = [1, 2, 3, 4, 5, 6].map((w) => `${fm[1]}_w${w}.png`);
          if (files.every((x) => names.has(x)))
            out.push({
              key: `${split}/${exp}/${m[1]}/${fm[1]}`,
              files: files.map((x) => path.join(dir, x)),
              experiment: exp,
              plate: Number(m[1]),
            });
        }
      }
    }
  }
  return out;
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

interface ChildResult {
  sitesPerSecond: number;
  cpuMsPerSite: number;
}

/** One measurement in this process: 'raw' sharp decode or the 'pipeline', over `n` sites. */
async function measure(
  mode: 'raw' | 'pipeline',
  root: string,
  n: number,
  size: number,
  workers: number,
): Promise<ChildResult> {
  const base = findSiteFiles(root);
  const sites = Array.from({ length: n }, (_, i) => base[i % base.length]!);
  const crop = Math.round((size * 3) / 4);
  if (mode === 'raw') {
    // Enough sites in flight to keep every pool thread busy (6 decodes per site).
    const pass = async (list: SiteFiles[]): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.max(2, workers * 2) }, async () => {
          while (next < list.length) {
            const s = list[next++]!;
            await Promise.all(s.files.map((f) => sharp(f).raw().toBuffer()));
          }
        }),
      );
    };
    await pass(sites.slice(0, 64)); // warm-up: page cache, JIT, libvips
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await pass(sites);
    const c = process.cpuUsage(c0);
    return {
      sitesPerSecond: n / ((performance.now() - t0) / 1000),
      cpuMsPerSite: (c.user + c.system) / 1000 / n,
    };
  }
  const samples: PipelineSample[] = sites.map((s, i) => ({
    relPaths: s.files.map((f) => path.relative(root, f)),
    label: i % 7,
    siteKey: `${s.key}#${i}`,
    experiment: s.experiment,
    plate: s.plate,
  }));
  // The first `workers` batches overlap the workers' start-up (tsx, JIT): the clock starts when
  // the last of them arrives and counts the sites after it.
  const warm = Math.min(workers, Math.ceil(n / 32) - 1);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  let timed = 0;
  let seen = 0;
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
    workers,
  })) {
    if (++seen === warm) {
      t0 = performance.now();
      c0 = process.cpuUsage();
    } else if (seen > warm) timed += b.n;
  }
  const c = process.cpuUsage(c0);
  return {
    sitesPerSecond: timed / ((performance.now() - t0) / 1000),
    cpuMsPerSite: (c.user + c.system) / 1000 / timed,
  };
}

/** Runs `measure` in a child process pinned to `cores` cores with a `cores`-thread libuv pool. */
function inChild(
  mode: 'raw' | 'pipeline',
  root: string,
  n: number,
  size: number,
  workers: number,
  cores: number,
): ChildResult & { pinned: string | null } {
  const here = fileURLToPath(import.meta.url);
  const runTs = path.join(path.dirname(here), '..', 'bin', 'run-ts.js');
  // Through tsx from the source tree; directly when this file was bundled to plain JS.
  const entry = here.endsWith('.ts') ? [runTs, here] : [here];
  const args = [...entry, '--child', mode, root, String(n), String(size), String(workers)];
  const cpus = os.availableParallelism();
  const taskset = process.platform === 'linux' && fs.existsSync('/usr/bin/taskset');
  const pinned = taskset && cores < cpus ? `0-${cores - 1}` : null;
  const [cmd, argv] = pinned
    ? ['taskset', ['-c', pinned, process.execPath, ...args]]
    : [process.execPath, args];
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(cores, 1)) },
    maxBuffer: 1 << 20,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    throw new Error(
      `bench child ${mode} ×${workers} failed (${r.status}): ${r.stderr.slice(-2000)}`,
    );
  return { ...(JSON.parse(line) as ChildResult), pinned };
}

/** Worker counts from --workers: a list as given, N → 1, 2, N; default 1, 2, cores − 1. */
export function workerCounts(w: number | number[] | undefined, cpus: number): number[] {
  const list = Array.isArray(w) ? w : [1, 2, w ?? Math.max(1, cpus - 1)];
  const out = [...new Set(list.map(Number))].sort((a, b) => a - b);
  for (const n of out)
    if (!Number.isInteger(n) || n < 1) throw new Error(`--workers ${String(w)}: positive integers`);
  return out;
}

export async function benchImagesScaling(opts: ScalingOptions) {
  const log = opts.log ?? ((l: string) => console.error(l));
  const size = opts.size;
  if (!Number.isInteger(size) || size < 16) throw new Error(`--size ${size}: an integer ≥ 16`);
  const cpus = os.availableParallelism();
  const counts = workerCounts(opts.workers, cpus);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-bench-scaling-'));
  try {
    let root = opts.dataDir;
    let source = `given: ${root}`;
    if (!root) {
      root = path.join(tmp, 'data');
      const synth = await import('../src-main/core/dataset/synth/index');
      const t0 = performance.now();
      await synth.generateSynthDataset({
        preset: 'tiny',
        outDir: root,
        imageSize: size,
        experiments: { train: 1, test: 0 },
      });
      source = `synth tiny, 1 experiment rendered at ${size} px (${round((performance.now() - t0) / 1000)} s)`;
    }
    const sites = findSiteFiles(root);
    if (sites.length === 0) throw new Error(`no complete sites under ${root}`);
    const meta = await sharp(sites[0]!.files[0]!).metadata();
    if (meta.width !== size || meta.height !== size)
      log(`note: images are ${meta.width}×${meta.height}; the pipeline resizes them to ${size}²`);
    const pngBytes = sites.flatMap((s) => s.files).map((f) => fs.statSync(f).size);
    const meanPngKiB = round(pngBytes.reduce((a, b) => a + b, 0) / pngBytes.length / 1024);
    log(`${sites.length} distinct sites (${meta.width}×${meta.height}, ${meanPngKiB} KiB/PNG)`);

    const rows = [];
    for (const w of counts) {
      const cores = Math.min(w, cpus);
      // Enough batches that the timed part (after the first `w`) holds several waves of `w`.
      const n = Math.max(opts.sites ?? 0, 256, 160 * w);
      log(`workers ${w} on ${cores} core(s), ${n} sites: raw decode…`);
      const raw = inChild('raw', root, n, size, w, cores);
      log(`  raw ${round(raw.sitesPerSecond)} sites/s; pipeline…`);
      const pipe = inChild('pipeline', root, n, size, w, cores);
      log(`  pipeline ${round(pipe.sitesPerSecond)} sites/s`);
      rows.push({
        workers: w,
        cores,
        sites: n,
        pinnedCpus: pipe.pinned,
        pipelineSitesPerSecond: round(pipe.sitesPerSecond),
        rawDecodeSitesPerSecond: round(raw.sitesPerSecond),
        ratioToRawDecode: round(pipe.sitesPerSecond / raw.sitesPerSecond, 2),
        pipelineCpuMsPerSite: round(pipe.cpuMsPerSite, 2),
        rawDecodeCpuMsPerSite: round(raw.cpuMsPerSite, 2),
        pipelineSitesPerSecondPerCore: round(pipe.sitesPerSecond / cores),
      });
    }
    // Cores for the GPU target: from the pipeline's CPU cost per site (all threads), which does not
    // depend on how many cores this machine has; plus one for the trainer's own thread.
    const cpuMs = Math.min(...rows.map((r) => r.pipelineCpuMsPerSite));
    const perCore = 1000 / cpuMs;
    const decodeCores = Math.ceil(GPU_TARGET_SITES_PER_SECOND / perCore);
    const oneWorker = rows[0]!;
    const scaling =
      rows.length > 1
        ? round(rows[rows.length - 1]!.pipelineSitesPerSecond / oneWorker.pipelineSitesPerSecond, 2)
        : null;
    return {
      bench: 'images-scaling',
      machine: {
        cpus,
        loadavg: os.loadavg().map((x) => round(x, 2)),
        node: process.version,
        sharp: sharp.versions.sharp,
      },
      dataset: {
        source,
        distinctSites: sites.length,
        imagePx: meta.width,
        meanPngKiB,
      },
      pipeline: { resolution: size, crop: Math.round((size * 3) / 4), batchSize: 32, cache: 'off' },
      rows,
      scalingLastVsOneWorker: scaling,
      gpuTarget: {
        sitesPerSecond: GPU_TARGET_SITES_PER_SECOND,
        pipelineSitesPerSecondPerCore: round(perCore),
        decodeCoresNeeded: decodeCores,
        coresNeededWithTrainerThread: decodeCores + 1,
        fitsA16CoreBox: decodeCores + 1 <= 16,
      },
      notes:
        'Each row runs in fresh processes pinned (taskset) to `cores` cores with UV_THREADPOOL_SIZE = cores: ' +
        'raw = sharp(file).raw() of the 6 PNGs per site, 2 sites in flight per core; pipeline = ' +
        'createBatchStream without the decoded cache (decode + per-image stats + crop + D4 + jitter + ' +
        'float32 pack, batches of 32), timed after the first `workers` batches (start-up). Cores needed = target / (1000 / lowest ' +
        'pipeline CPU ms per site), + 1 for the trainer thread; it assumes the per-site CPU cost holds on the ' +
        'GPU box (a different CPU changes it).',
    };
  } finally {
    if (!opts.keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  if (args[0] !== '--child') {
    // Standalone (a bundled copy on a machine without the repo): --size 512 --workers 1,2,15
    const val = (name: string): string | undefined => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const workers = val('--workers')?.split(',').map(Number);
    const result = await benchImagesScaling({
      size: Number(val('--size') ?? 512),
      workers: workers?.length === 1 ? workers[0] : workers,
      sites: val('--sites') ? Number(val('--sites')) : undefined,
      dataDir: val('--data-dir'),
    });
    console.log(JSON.stringify(result, null, 2));
  } else {
    const [, mode, root, n, size, workers] = args;
    const r = await measure(
      mode as 'raw' | 'pipeline',
      root!,
      Number(n),
      Number(size),
      Number(workers),
    );
    console.log(JSON.stringify(r));
  }
}
