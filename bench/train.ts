// Training/inference throughput of PlateLab's models on the selected tfjs backend, with the same
// networks in PyTorch in the same run (ratios) when torch is importable. Prints JSON.
// Standalone: node bin/run-ts.js bench/train.ts [--steps 3] [--nets resnet18@64,resnet34@128] [--no-torch]
// [--torch-threads 1] [--baseline] [--backend wasm]
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  selectBackend,
  type BackendPreference,
} from '../src-main/core/learn/backend/select-backend';
import { getTf, type Scalar, type Tensor, type Tensor1D } from '../src-main/core/learn/backend/tf';
import { buildModel } from '../src-main/core/learn/models/build-model';
import { foldedPredictor } from '../src-main/core/learn/models/folded-inference';
import type { ModelArch } from '../src-main/core/learn/models/config';
import {
  registerWasmTrainingKernels,
  useBuiltinWasmKernels,
} from '../src-main/core/learn/backend/wasm-kernels/register';
import { findTorch, runTorch, type TorchResult } from './train-torch';

export interface BenchTrainOptions {
  /** "arch@size" entries; default: resnet-mini@64, resnet18@64, resnet18@128, resnet34@64, resnet34@128. */
  nets?: string[] | string;
  batch?: number;
  /** Timed training steps per net (after `warmup`). */
  steps?: number;
  warmup?: number;
  inferSteps?: number;
  backend?: BackendPreference;
  /** Compare with PyTorch when importable (default true). */
  torch?: boolean;
  /** PyTorch threads (default: all cores; tfjs wasm runs on one thread in Node). */
  torchThreads?: number;
  /**
   * Also time each net as PlateLab trained before this work (wasm only): tfjs' BatchNormalization
   * layer and built-in MaxPoolGrad, with the same conv backprop kernels.
   */
  baseline?: boolean;
  log?: (line: string) => void;
}

const defaultNets = [
  'resnet-mini@64',
  'resnet18@64',
  'resnet18@128',
  'resnet34@64',
  'resnet34@128',
];

interface Timing {
  median: number;
  min: number;
  max: number;
}

function timing(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function parseNet(spec: string): { arch: ModelArch; size: number } {
  const [arch, size] = spec.split('@');
  const n = Number(size);
  if (
    !['resnet18', 'resnet34', 'resnet-mini', 'se-resnext50'].includes(arch) ||
    !Number.isInteger(n)
  ) {
    throw new Error(`bench train: bad net '${spec}' (want arch@size, e.g. resnet18@64)`);
  }
  return { arch: arch as ModelArch, size: n };
}

/** Process CPU time in ms: unlike wall time it barely moves when other processes share the cores. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function heapMB(): number | null {
  const backend = getTf().backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return backend.wasm ? Math.round(backend.wasm.HEAPU8.length / 1024 ** 2) : null;
}

/** Times training steps (SGD momentum, softmax cross-entropy) and inference for one net. */
function benchTfjs(
  arch: ModelArch,
  size: number,
  o: Required<Pick<BenchTrainOptions, 'batch' | 'steps' | 'warmup' | 'inferSteps'>>,
  batchNorm: 'fused' | 'keras' = 'fused',
) {
  const tf = getTf();
  const model = buildModel({
    arch,
    inputSize: size,
    channels: 6,
    numClasses: 31,
    seed: 1,
    batchNorm,
  });
  const x = tf.randomNormal([o.batch, size, size, 6]);
  const labels = tf.oneHot(tf.randomUniform([o.batch], 0, 31, 'int32') as Tensor1D, 31);
  const opt = tf.train.momentum(0.01, 0.9);
  const step = () => {
    const loss = opt.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          model.apply(x, { training: true }) as Tensor,
        ) as Scalar,
      true,
    );
    loss?.dataSync();
    loss?.dispose();
  };
  for (let i = 0; i < o.warmup; i++) step();
  const tensorsBefore = tf.memory().numTensors;
  const train: number[] = [];
  const trainCpu: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t = performance.now();
    const c = cpuMs();
    step();
    train.push(performance.now() - t);
    trainCpu.push(cpuMs() - c);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  // Inference as `platelab predict` runs it: batch norms folded into their convolutions.
  const folded = foldedPredictor(model);
  const timeInference = (run: () => Tensor) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    tf.tidy(() => run().dataSync());
    for (let i = 0; i < o.inferSteps; i++) {
      const t = performance.now();
      const c = cpuMs();
      tf.tidy(() => run().dataSync());
      wall.push(performance.now() - t);
      cpu.push(cpuMs() - c);
    }
    return { wall, cpu };
  };
  const { wall: infer, cpu: inferCpu } = timeInference(() => folded.predict(x));
  const unfolded = timeInference(() => model.predict(x) as Tensor);
  folded.dispose();
  const heap = heapMB();
  opt.dispose();
  model.dispose();
  tf.dispose([x, labels]);
  return {
    train: timing(train),
    infer: timing(infer),
    inferUnfolded: timing(unfolded.wall),
    trainCpu: timing(trainCpu),
    inferCpu: timing(inferCpu),
    leakedTensorsPerRun: leaked,
    heapMB: heap,
  };
}

export async function benchTrain(opts: BenchTrainOptions = {}): Promise<Record<string, unknown>> {
  const o = {
    batch: opts.batch ?? 32,
    steps: opts.steps ?? 2,
    warmup: opts.warmup ?? 2,
    inferSteps: opts.inferSteps ?? 3,
  };
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // The bench runner passes a single --nets value as a string, several as an array.
  const netList = opts.nets ?? defaultNets;
  const nets = (typeof netList === 'string' ? [netList] : netList).map(parseNet);
  const sel = await selectBackend(opts.backend);
  const torchFound = opts.torch === false ? { reasons: ['disabled by option'] } : findTorch();
  const torchThreads = opts.torchThreads ?? os.cpus().length;
  const loadBefore = os.loadavg()[0];
  const results: Record<string, unknown>[] = [];
  let torchInfo: Record<string, unknown> =
    'reasons' in torchFound ? { available: false, why: torchFound.reasons } : { available: true };
  const started = performance.now();
  for (const { arch, size } of nets) {
    log(`bench train: ${arch} @${size}px on ${sel.name}…`);
    const t = benchTfjs(arch, size, o);
    const row: Record<string, unknown> = {
      net: arch,
      size,
      batch: o.batch,
      trainImgPerS: round((o.batch * 1000) / t.train.median),
      inferImgPerS: round((o.batch * 1000) / t.infer.median),
      // The same network without batch-norm folding (model.predict).
      inferUnfoldedImgPerS: round((o.batch * 1000) / t.inferUnfolded.median),
      trainMsPerStep: {
        median: round(t.train.median, 0),
        min: round(t.train.min, 0),
        max: round(t.train.max, 0),
      },
      inferMsPerBatch: {
        median: round(t.infer.median, 0),
        min: round(t.infer.min, 0),
        max: round(t.infer.max, 0),
      },
      cpuMsPerStep: round(t.trainCpu.median, 0),
      cpuMsPerInferBatch: round(t.inferCpu.median, 0),
      leakedTensorsPerRun: t.leakedTensorsPerRun,
      // wasm heap size after this net: a high-water mark over everything run so far in this
      // process (the heap never shrinks), so only the first net's value is its own peak.
      wasmHeapHighWaterMB: t.heapMB,
    };
    // PyTorch right after the same net, so both see similar load from other processes.
    if (!('reasons' in torchFound) && arch !== 'se-resnext50') {
      log(`bench train: ${arch} @${size}px in PyTorch (${torchThreads} threads)…`);
      const ref = runTorch(torchFound.python, {
        nets: [{ arch, size }],
        threads: torchThreads,
        ...o,
      });
      torchInfo = { available: true, ...ref.info };
      const r: TorchResult = ref.results[0];
      const tt = timing(r.trainMsPerStep);
      const ti = timing(r.inferMsPerBatch);
      const tcTrain = timing(r.trainCpuMsPerStep).median;
      const tcInfer = timing(r.inferCpuMsPerBatch).median;
      const torchTrain = (o.batch * 1000) / tt.median;
      const torchInfer = (o.batch * 1000) / ti.median;
      Object.assign(row, {
        torch: {
          trainImgPerS: round(torchTrain),
          inferImgPerS: round(torchInfer),
          trainMsPerStep: {
            median: round(tt.median, 0),
            min: round(tt.min, 0),
            max: round(tt.max, 0),
          },
          cpuMsPerStep: round(tcTrain, 0),
          cpuMsPerInferBatch: round(tcInfer, 0),
        },
        // Wall-clock throughput ratios (tfjs / torch): the goal metric, noisy under shared load.
        ratioTrain: round((o.batch * 1000) / t.train.median / torchTrain, 2),
        ratioInfer: round((o.batch * 1000) / t.infer.median / torchInfer, 2),
        // CPU-time ratios (torch CPU ms / tfjs CPU ms): work efficiency, stable under load; with
        // torch on 1 thread this is the core-for-core ratio.
        cpuRatioTrain: round(tcTrain / t.trainCpu.median, 2),
        cpuRatioInfer: round(tcInfer / t.inferCpu.median, 2),
      });
    }
    if (opts.baseline && sel.name === 'wasm') {
      log(
        `bench train: ${arch} @${size}px baseline (keras BatchNormalization, built-in MaxPoolGrad)…`,
      );
      useBuiltinWasmKernels(['MaxPoolGrad']);
      try {
        const b = benchTfjs(arch, size, o, 'keras');
        Object.assign(row, {
          baseline: {
            trainImgPerS: round((o.batch * 1000) / b.train.median),
            inferImgPerS: round((o.batch * 1000) / b.infer.median),
            cpuMsPerStep: round(b.trainCpu.median, 0),
            cpuMsPerInferBatch: round(b.inferCpu.median, 0),
          },
          cpuSpeedupTrainVsBaseline: round(b.trainCpu.median / t.trainCpu.median, 2),
          cpuSpeedupInferVsBaseline: round(b.inferCpu.median / t.inferCpu.median, 2),
        });
      } finally {
        registerWasmTrainingKernels();
      }
    }
    results.push(row);
  }
  return {
    bench: 'train',
    backend: sel.name,
    backendDetail: sel.detail,
    notUsed: sel.rejected,
    torch: torchInfo,
    batch: o.batch,
    steps: o.steps,
    warmup: o.warmup,
    results,
    // Other processes share this machine's cores: the 1-minute load average says how noisy it was.
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      loadavgBefore: round(loadBefore, 2),
      loadavgAfter: round(os.loadavg()[0], 2),
    },
    totalSeconds: round((performance.now() - started) / 1000, 0),
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const num = (name: string) =>
    argValue(args, name) !== undefined ? Number(argValue(args, name)) : undefined;
  const out = await benchTrain({
    nets: argValue(args, '--nets')?.split(','),
    steps: num('--steps'),
    batch: num('--batch'),
    warmup: num('--warmup'),
    inferSteps: num('--infer-steps'),
    torchThreads: num('--torch-threads'),
    backend: argValue(args, '--backend') as BackendPreference | undefined,
    torch: !args.includes('--no-torch'),
    baseline: args.includes('--baseline'),
  });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
