// Index speed at full RxRx1 scale (753,060 channel files): a full index and an unchanged re-index,
// each as a ratio to a bare walk (list + stat every file) of the same tree, measured in one run
// with a warm file cache. Goals: full ≤ 2× walk, unchanged ≤ 1× walk. Prints JSON.
// Standalone: node bin/run-ts.js bench/index.ts [--data-dir DIR] [--repeats 3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { indexDataset, type IndexResult } from '../src-main/core/catalog/indexer';
import { defaultScanThreads } from '../src-main/core/catalog/indexer/scan-pool';
import { readMetadata } from '../src-main/core/dataset/metadata';
import { SITES, CHANNELS } from '../src-main/core/dataset/plate';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_DIR = path.join(HERE, '.data/full-layout');
const REAL_METADATA = path.resolve(HERE, '../../shared/rxrx1');
const MARKER = '.platelab-synth.json';

export interface BenchIndexOptions {
  dataDir?: string;
  /** Timed repeats of the walk and of the unchanged re-index (median reported). */
  repeats?: number;
  log?: (line: string) => void;
}

function isComplete(dir: string): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as {
      status?: string;
    };
    return marker.status === 'complete';
  } catch {
    return false;
  }
}

/** The tree comes from the synth generator; if that cannot run, copies of one tiny PNG do. */
async function ensureTree(dir: string, log: (l: string) => void): Promise<string> {
  if (isComplete(dir)) return 'reused';
  log(`building the full-layout tree in ${dir} (once)…`);
  try {
    const synth = await import('../src-main/core/dataset/synth');
    await synth.generateSynthDataset({
      preset: 'full-layout',
      outDir: dir,
      realMetadataDir: REAL_METADATA,
      onProgress: (done, total) => {
        if (done % 20 === 0) log(`  synth ${done}/${total}`);
      },
    });
    return 'synth full-layout';
  } catch (err) {
    log(
      `synth generator unavailable (${(err as Error).message}); writing copies of one PNG instead`,
    );
    return writeTinyTree(dir);
  }
}

function writeTinyTree(dir: string): string {
  // A valid 1×1 8-bit grayscale PNG.
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010800000000' +
      '3a7e9b550000000a49444154789c63600000000200015e2e5b9c0000000049454e44ae426082',
    'hex',
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of [
    'train.csv',
    'test.csv',
    'train_controls.csv',
    'test_controls.csv',
    'sample_submission.csv',
  ])
    fs.copyFileSync(path.join(REAL_METADATA, f), path.join(dir, f));
  const made = new Set<string>();
  for (const w of readMetadata(REAL_METADATA).wells) {
    const plateDir = path.join(dir, w.split, w.experiment, `Plate${w.plate}`);
    if (!made.has(plateDir)) {
      fs.mkdirSync(plateDir, { recursive: true });
      made.add(plateDir);
    }
    for (let s = 1; s <= SITES; s++)
      for (let c = 1; c <= CHANNELS; c++)
        fs.writeFileSync(path.join(plateDir, `${w.well}_s${s}_w${c}.png`), png);
  }
  fs.writeFileSync(
    path.join(dir, MARKER),
    JSON.stringify({ status: 'complete', source: 'bench tiny writer' }),
  );
  return 'bench tiny-file writer';
}

/** The reference: list every folder (withFileTypes) and stat every file, as plainly as Node allows. */
export function bareWalk(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) visit(p);
      else {
        const st = fs.statSync(p);
        files++;
        bytes += st.size;
      }
    }
  };
  visit(root);
  return { files, bytes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Wall seconds and CPU seconds (user + system, all threads of this process). */
async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number, number]> {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = await fn();
  const u = process.cpuUsage(c);
  return [r, (performance.now() - t) / 1000, (u.user + u.system) / 1e6];
}

export async function benchIndex(opts: BenchIndexOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = path.resolve(opts.dataDir ?? DEFAULT_DIR);
  const repeats = opts.repeats ?? 3;
  const source = await ensureTree(dir, log);
  const loadBefore = os.loadavg()[0]!;
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-bench-index-'));
  const dbFile = path.join(dbDir, 'catalog.db');
  try {
    log('warming the file cache with one untimed walk…');
    const tree = bareWalk(dir);
    const walks: number[] = [];
    const walkCpu: number[] = [];
    const walk = async () => {
      const [, wall, cpu] = await timed(() => bareWalk(dir));
      walks.push(wall);
      walkCpu.push(cpu);
    };
    await walk();
    log(`walk ${round(walks[0]!)} s; full index…`);
    const [full, fullS, fullCpu] = await timed(() => indexDataset({ root: dir, dbFile }));
    await walk();
    const unchanged: number[] = [];
    const unchangedCpu: number[] = [];
    let last: IndexResult = full;
    for (let i = 0; i < repeats; i++) {
      const [r, s, cpu] = await timed(() => indexDataset({ root: dir, dbFile }));
      unchanged.push(s);
      unchangedCpu.push(cpu);
      last = r;
      await walk();
    }
    const walkS = median(walks);
    const unchangedS = median(unchanged);
    const walkC = median(walkCpu);
    const unchangedC = median(unchangedCpu);
    return {
      bench: 'index',
      tree: { dir, source, files: tree.files, bytes: tree.bytes },
      counts: {
        experiments: full.experiments,
        plates: full.plates,
        wells: full.wells,
        sites: full.sites,
        images: full.images,
        problems: full.problems,
      },
      seconds: {
        walk: round(walkS),
        walkAll: walks.map((w) => round(w)),
        fullIndex: round(fullS),
        unchangedReindex: round(unchangedS),
        unchangedAll: unchanged.map((u) => round(u)),
      },
      cpuSeconds: {
        walk: round(walkC),
        fullIndex: round(fullCpu),
        unchangedReindex: round(unchangedC),
      },
      ratios: {
        fullIndexToWalk: round(fullS / walkS, 2),
        unchangedToWalk: round(unchangedS / walkS, 2),
      },
      // CPU time is far less sensitive than wall time to other processes sharing the cores.
      cpuRatios: {
        fullIndexToWalk: round(fullCpu / walkC, 2),
        unchangedToWalk: round(unchangedC / walkC, 2),
      },
      goals: {
        fullIndexToWalk: 2,
        unchangedToWalk: 1,
        met: fullS / walkS <= 2 && unchangedS / walkS <= 1,
      },
      unchangedRun: {
        changed: last.changed,
        platesScanned: last.platesScanned,
        metadataRead: last.metadataRead,
      },
      dbMB: round(fs.statSync(dbFile).size / 2 ** 20, 1),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        loadavgBefore: round(loadBefore, 2),
        loadavgAfter: round(os.loadavg()[0]!, 2),
      },
      note:
        'warm file cache; walk = readdirSync(withFileTypes) + statSync per file on one thread; the indexer scans on worker threads ' +
        '(threads: ' +
        String(defaultScanThreads()) +
        ') and parses pixel_stats.csv on another; CPU seconds include all threads',
    };
  } finally {
    fs.rmSync(dbDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const at = (n: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
  const out = await benchIndex({
    dataDir: at('--data-dir'),
    repeats: at('--repeats') ? Number(at('--repeats')) : undefined,
  });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
