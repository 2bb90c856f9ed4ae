// Accuracy on a synthetic preset with the default CPU recipe. `demo` (default): held-out well accuracy
// on the random split (goal ≥ 90%), after plate-group assignment, and with whole experiments held out.
// `hard`: whole experiments held out, one run per normalisation (`--norm`), next to the hardness
// baselines (test-support/synth-analysis/baselines.ts) on the same held-out experiments. Prints
// JSON with the curves.
// Default is a shortened run; `--full` allows 15 minutes each and saves the JSON and redraws the
// figure in docs/bench/accuracy-<preset>.{json,png} (`--out STEM` elsewhere, `--out none` not at all).
// Standalone: node bin/run-ts.js bench/accuracy.ts [--preset demo|hard] [--norm a,b] [--full]
//   [--epochs 4] [--minutes 5] [--backend wasm] [--out STEM]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TrainConfig } from '../src-shared/contract';
import { generateSynthDataset } from '../src-main/core/dataset/synth';
import { HARD_EFFECTS } from '../src-main/core/dataset/synth/hard-effects';
import { RENDERED_PRESETS } from '../src-main/core/dataset/synth/presets';
import {
  heldOutBaselines,
  readWellFeatures,
  type BaselineScores,
} from '../test-support/synth-analysis/baselines';
import { indexDataset } from '../src-main/core/catalog/indexer';
import { selectBackend, resolvePreference } from '../src-main/core/learn/backend/select-backend';
import {
  applySetting,
  defaultConfigFor,
  parseTrainConfig,
} from '../src-main/core/learn/config/default-config';
import { predictRun } from '../src-main/core/learn/predict/predict';
import { startTraining } from '../src-main/core/learn/train/start-training';
import type { EpochMetric } from '../src-main/core/learn/train/messages';
import { saveAccuracyReport } from './plot-accuracy';

type Norm = TrainConfig['normalization'];
const NORMS: readonly Norm[] = ['per-image', 'per-experiment', 'per-plate-controls'];

/** The repository's docs/bench folder (the full benchmark's default output). */
const DOCS_BENCH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'bench');

export interface BenchAccuracyOptions {
  /** Synthetic preset (default demo). */
  preset?: 'demo' | 'hard';
  /**
   * Normalisations to train with on the experiment split, one run each (TrainConfig.normalization;
   * 'per-image' = each site by its own mean/sd, no batch or control normalisation). Default: the
   * recipe's ('per-image') for demo; per-image, per-plate-controls, per-experiment for hard.
   */
  norm?: string | string[];
  /** Also run the random split (default: demo yes, hard no). */
  randomSplit?: boolean;
  /** The full benchmark: the CPU default's epochs, up to `minutes` (15) of training per run. */
  full?: boolean;
  /** Epochs per run (default: full → CPU default, else 4). */
  epochs?: number;
  /** Training time limit per run in minutes; training stops gracefully at the limit (default: full 15, else 8). */
  minutes?: number;
  backend?: string;
  /** Skip the experiment-held-out run. */
  experimentSplit?: boolean;
  /** Folder for the generated dataset (reused when it already holds one). */
  dataDir?: string;
  seed?: number;
  /** Config overrides, `key=value` as for `platelab train --set`. */
  set?: string | string[];
  /**
   * Where to save the result: `<out>.json` and its figure `<out>.png`. Default: with `full`,
   * docs/bench/accuracy-<preset>; without, nowhere. 'none' saves nothing.
   */
  out?: string;
}

interface RunReport {
  split: TrainConfig['split'];
  normalization: Norm;
  epochs: number;
  trainSeconds: number;
  stoppedByTimeLimit: boolean;
  imagesPerSecond: number | null;
  bestValSiteAccuracy: number | null;
  valWells: number;
  wellAccuracy: number | null;
  wellAccuracyAssigned: number | null;
  curve: Pick<
    EpochMetric,
    'epoch' | 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'lr' | 'seconds'
  >[];
}

async function trainAndScore(
  dbFile: string,
  runDir: string,
  config: TrainConfig,
  limitMs: number,
  backend: string,
): Promise<RunReport> {
  fs.rmSync(runDir, { recursive: true, force: true });
  const t0 = Date.now();
  const h = startTraining({ dbFile, runDir, config, backend });
  const curve: RunReport['curve'] = [];
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped && Date.now() - t0 > limitMs) {
      stopped = true;
      h.cancel();
    }
  }, 1000);
  h.events.on('epoch', (m) => {
    curve.push({
      epoch: m.epoch,
      loss: m.loss,
      accuracy: m.accuracy,
      valLoss: m.valLoss,
      valAccuracy: m.valAccuracy,
      lr: m.lr,
      seconds: m.seconds,
    });
    process.stderr.write(
      `[accuracy] ${config.split.strategy} epoch ${m.epoch + 1}/${config.epochs}: loss ${m.loss.toFixed(3)} val acc ${m.valAccuracy?.toFixed(3)} (${m.seconds.toFixed(0)} s)\n`,
    );
  });
  const summary = await h.done.finally(() => clearInterval(timer));
  const trainSeconds = (Date.now() - t0) / 1000;
  if (summary.status === 'failed') throw new Error(`training failed: ${summary.error}`);
  // A run the time limit stopped is scored on its last checkpoint (reported as stoppedByTimeLimit).
  const p = await predictRun({
    runDir,
    split: 'val',
    assign: true,
    backend,
    allowIncomplete: stopped,
  });
  const report: RunReport = {
    split: config.split,
    normalization: config.normalization,
    epochs: summary.epochsDone,
    trainSeconds,
    stoppedByTimeLimit: stopped,
    imagesPerSecond: summary.imagesPerSecond,
    bestValSiteAccuracy: summary.bestValAccuracy,
    valWells: p.set.wells.length,
    wellAccuracy: p.accuracy,
    wellAccuracyAssigned: p.accuracyAssigned,
    curve,
  };
  // One line per finished run, so a run cut short still leaves its numbers in the log.
  process.stderr.write(
    `[accuracy] done ${JSON.stringify({ ...report, curve: undefined, valExperiments: valExperiments(p.set.wells) })}\n`,
  );
  lastValExperiments = valExperiments(p.set.wells);
  return report;
}

let lastValExperiments: string[] = [];

const valExperiments = (wells: { experiment: string }[]): string[] =>
  [...new Set(wells.map((w) => w.experiment))].sort();

function parseNorms(v: string | string[] | undefined, preset: string, recipe: Norm): Norm[] {
  const list =
    v === undefined
      ? preset === 'hard'
        ? (['per-image', 'per-plate-controls', 'per-experiment'] as Norm[])
        : [recipe]
      : (Array.isArray(v) ? v : v.split(',')).map(String);
  for (const n of list)
    if (!(NORMS as readonly string[]).includes(n))
      throw new Error(`--norm: unknown normalisation "${n}" (one of ${NORMS.join(', ')})`);
  return [...new Set(list)] as Norm[];
}

/**
 * The hardness baselines on the CNN's split: the dataset's train wells, refitted with the held-out
 * (validation) experiments as 'test', treatment wells scored as the CNN is; and on the dataset's
 * own test experiments (all wells, as `npm run bench -- baselines`).
 */
async function baselinesFor(dataDir: string, valExps: string[]) {
  const t = Date.now();
  const wells = await readWellFeatures(dataDir);
  const held = new Set(valExps);
  const sameSplit = wells
    .filter((w) => w.split === 'train')
    .map((w) => ({ ...w, split: held.has(w.experiment) ? ('test' as const) : ('train' as const) }));
  const sameSplitScores: BaselineScores = heldOutBaselines(sameSplit, { treatmentsOnly: true });
  return {
    readSeconds: (Date.now() - t) / 1000,
    heldOutExperiments: valExps,
    sameSplit: sameSplitScores,
    datasetTestExperiments: heldOutBaselines(wells),
  };
}

export async function benchAccuracy(opts: BenchAccuracyOptions = {}) {
  const preset = opts.preset ?? 'demo';
  if (preset !== 'demo' && preset !== 'hard')
    throw new Error(`--preset: "${String(preset)}" is not demo or hard`);
  const sel = await selectBackend(resolvePreference(opts.backend));
  const base = defaultConfigFor(sel.name);
  const norms = parseNorms(opts.norm, preset, base.normalization);
  const epochs = opts.epochs ?? (opts.full ? base.epochs : 4);
  const minutes = opts.minutes ?? (opts.full ? 15 : 8);
  const dataDir = path.resolve(
    opts.dataDir ?? path.join(os.tmpdir(), `platelab-bench-accuracy-${preset}-${opts.seed ?? 1}`),
  );
  const tGen = Date.now();
  // A cached dataset is reused only if drawn by this generator's settings (its plan and effects
  // change between versions: a stale one would silently measure another dataset).
  const stampFile = path.join(dataDir, 'bench-dataset.json');
  const stamp = JSON.stringify({
    preset,
    seed: opts.seed ?? 1,
    config: RENDERED_PRESETS[preset],
    hardEffects: preset === 'hard' ? HARD_EFFECTS : null,
  });
  const cached = fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp;
  if (!cached) {
    fs.rmSync(stampFile, { force: true });
    await generateSynthDataset({ preset, outDir: dataDir, seed: opts.seed ?? 1 });
    fs.rmSync(path.join(dataDir, 'catalog.sqlite'), { force: true });
    fs.writeFileSync(stampFile, stamp);
  }
  const dbFile = path.join(dataDir, 'catalog.sqlite');
  await indexDataset({ root: dataDir, dbFile });
  const prepSeconds = (Date.now() - tGen) / 1000;
  // Shortened runs keep the recipe's shape: warm-up and decays scaled to the epochs given.
  let tuned = base as unknown as Record<string, unknown>;
  for (const s of opts.set === undefined ? [] : Array.isArray(opts.set) ? opts.set : [opts.set])
    tuned = applySetting(tuned, s);
  const baseTuned = parseTrainConfig(tuned, '--set');
  const scaled: TrainConfig = {
    ...baseTuned,
    epochs,
    warmupEpochs: Math.min(base.warmupEpochs, Math.max(0, epochs - 1)),
    lrDecayEpochs:
      epochs === base.epochs
        ? base.lrDecayEpochs
        : base.lrDecayEpochs
            .map((e) => Math.max(1, Math.round((e * epochs) / base.epochs)))
            .filter((e) => e < epochs),
  };
  const runsDir = path.join(dataDir, 'runs');
  const limitMs = minutes * 60_000;
  const random =
    (opts.randomSplit ?? preset === 'demo')
      ? await trainAndScore(
          dbFile,
          path.join(runsDir, 'random'),
          { ...scaled, normalization: norms[0]! },
          limitMs,
          sel.name,
        )
      : null;
  const experimentRuns: RunReport[] = [];
  if (opts.experimentSplit !== false)
    for (const normalization of norms)
      experimentRuns.push(
        await trainAndScore(
          dbFile,
          // The demo's single run keeps its folder name.
          path.join(runsDir, norms.length === 1 ? 'experiment' : `experiment-${normalization}`),
          {
            ...scaled,
            normalization,
            split: { strategy: 'experiment', valFraction: 0.25, seed: scaled.split.seed },
          },
          limitMs,
          sel.name,
        ),
      );
  const baselines =
    preset === 'hard' && experimentRuns.length > 0
      ? await baselinesFor(dataDir, lastValExperiments)
      : null;
  const pick = (b: BaselineScores['meanIntensity']) => [
    { normalization: 'none', wellAccuracy: b.raw },
    { normalization: 'per-experiment standardised', wellAccuracy: b.perExperiment },
    { normalization: 'controls of the experiment', wellAccuracy: b.controls },
  ];
  // The table of the issue: every model and normalisation on the held-out experiments.
  const table = [
    ...experimentRuns.map((r) => ({
      model: `${scaled.arch} CNN (CPU recipe)`,
      normalization: r.normalization,
      wellAccuracy: r.wellAccuracy,
      wellAccuracyAssigned: r.wellAccuracyAssigned,
      trainSeconds: r.trainSeconds,
      stoppedByTimeLimit: r.stoppedByTimeLimit,
    })),
    ...(baselines
      ? [
          ...pick(baselines.sameSplit.meanIntensity).map((x) => ({
            model: 'nearest centroid, per-channel means',
            ...x,
            wellAccuracyAssigned: null,
          })),
          ...pick(baselines.sameSplit.shape).map((x) => ({
            model: 'nearest centroid, shape features',
            ...x,
            wellAccuracyAssigned: null,
          })),
        ]
      : []),
  ];
  const result = {
    bench: 'accuracy',
    preset,
    mode: opts.full ? 'full' : 'shortened',
    backend: sel.name,
    backendDetail: sel.detail,
    cpus: os.cpus().length,
    config: {
      arch: scaled.arch,
      imageSize: scaled.imageSize,
      cropSize: scaled.cropSize,
      batchSize: scaled.batchSize,
      epochs,
      loss: scaled.loss,
      learningRate: scaled.learningRate,
      minutesLimitPerRun: minutes,
    },
    prepSeconds,
    ...(preset === 'demo'
      ? {
          goal: { wellAccuracyRandomSplit: 0.9 },
          meetsGoal: random?.wellAccuracy != null && random.wellAccuracy >= 0.9,
        }
      : {
          goal: {
            wellAccuracyPerPlateControls: 0.85,
            trainMinutesAtMost: 15,
            assignmentGainAtLeast: 0.05,
            baselinesAtMost: 0.5,
          },
        }),
    table,
    baselines,
    random,
    // The first normalisation's experiment-split run (the demo's only one), then all of them.
    experiment: experimentRuns[0] ?? null,
    runs: [...(random ? [random] : []), ...experimentRuns],
    date: new Date().toISOString(),
  };
  const out = opts.out ?? (opts.full ? path.join(DOCS_BENCH, `accuracy-${preset}`) : undefined);
  if (out !== undefined && out !== 'none') {
    await saveAccuracyReport(result, path.resolve(out));
    process.stderr.write(`[accuracy] wrote ${out}.json and ${out}.png\n`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const num = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const i = args.indexOf('--backend');
  const result = await benchAccuracy({
    dataDir: args.includes('--data-dir') ? args[args.indexOf('--data-dir') + 1] : undefined,
    full: args.includes('--full'),
    epochs: num('--epochs'),
    minutes: num('--minutes'),
    backend: i >= 0 ? args[i + 1] : undefined,
    experimentSplit: !args.includes('--no-experiment-split'),
    preset: args.includes('--preset') ? (args[args.indexOf('--preset') + 1] as 'demo') : undefined,
    norm: args.includes('--norm') ? args[args.indexOf('--norm') + 1] : undefined,
    randomSplit: args.includes('--random-split')
      ? true
      : args.includes('--no-random-split')
        ? false
        : undefined,
    set: args.flatMap((a, k) => (a === '--set' ? [args[k + 1]!] : [])),
    out: args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined,
  });
  console.log(JSON.stringify(result, null, 2));
}
