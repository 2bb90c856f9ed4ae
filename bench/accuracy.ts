// Accuracy on the `demo` synthetic preset with the default CPU recipe: held-out well accuracy on the
// random split (goal ≥ 90%), after plate-group assignment, and with whole experiments held out.
// Prints JSON with the learning curves. Default is a shortened run; `--full` allows 15 minutes each.
// Standalone: node bin/run-ts.js bench/accuracy.ts [--full] [--epochs 4] [--minutes 5] [--backend wasm]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrainConfig } from '../src-shared/contract';
import { generateSynthDataset } from '../src-main/core/dataset/synth';
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

export interface BenchAccuracyOptions {
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
}

interface RunReport {
  split: TrainConfig['split'];
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
  const p = await predictRun({ runDir, split: 'val', assign: true, backend });
  return {
    split: config.split,
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
}

export async function benchAccuracy(opts: BenchAccuracyOptions = {}) {
  const sel = await selectBackend(resolvePreference(opts.backend));
  const base = defaultConfigFor(sel.name);
  const epochs = opts.epochs ?? (opts.full ? base.epochs : 4);
  const minutes = opts.minutes ?? (opts.full ? 15 : 8);
  const dataDir = path.resolve(
    opts.dataDir ?? path.join(os.tmpdir(), `platelab-bench-accuracy-demo-${opts.seed ?? 1}`),
  );
  const tGen = Date.now();
  if (!fs.existsSync(path.join(dataDir, 'train.csv')))
    await generateSynthDataset({ preset: 'demo', outDir: dataDir, seed: opts.seed ?? 1 });
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
  const random = await trainAndScore(
    dbFile,
    path.join(runsDir, 'random'),
    scaled,
    minutes * 60_000,
    sel.name,
  );
  const experiment =
    opts.experimentSplit === false
      ? null
      : await trainAndScore(
          dbFile,
          path.join(runsDir, 'experiment'),
          {
            ...scaled,
            split: { strategy: 'experiment', valFraction: 0.25, seed: scaled.split.seed },
          },
          minutes * 60_000,
          sel.name,
        );
  return {
    bench: 'accuracy',
    preset: 'demo',
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
    goal: { wellAccuracyRandomSplit: 0.9 },
    meetsGoal: random.wellAccuracy !== null && random.wellAccuracy >= 0.9,
    random,
    experiment,
  };
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
    set: args.flatMap((a, k) => (a === '--set' ? [args[k + 1]!] : [])),
  });
  console.log(JSON.stringify(result, null, 2));
}
