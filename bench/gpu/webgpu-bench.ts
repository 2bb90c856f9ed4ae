// The GPU bench that bench/gpu/pack.ts bundles into one file: PlateLab's real models trained on
// the tfjs WebGPU backend (Dawn through the `webgpu` package), then PyTorch on the same GPU, one JSON.
// Run from the pack (run.sh), or here: node bin/run-ts.js bench/gpu/webgpu-bench.ts --help
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  bundledTf,
  type Scalar,
  type Tensor,
  type Tensor1D,
} from '../../src-main/core/learn/backend/tf';
import {
  adapterLine,
  openWebgpuAdapter,
  useWebgpuBackend,
} from '../../src-main/core/learn/backend/webgpu-device';
import { buildModel } from '../../src-main/core/learn/models/build-model';
import { modelArchs, type ModelArch } from '../../src-main/core/learn/models/config';
import { foldedPredictor } from '../../src-main/core/learn/models/folded-inference';
import { findTorch, runTorch, type TorchResult } from '../train-torch';

export interface GpuBenchOptions {
  /** "arch@size" entries, e.g. ['resnet34@128', 'resnet34@384']. */
  nets: string[];
  batch: number;
  /** Untimed training steps first (shader compilation happens here). */
  warmup: number;
  /** Timed training steps per net (fewer only when `budgetS` runs out, never under 3). */
  steps: number;
  inferSteps: number;
  /** Seconds of timed training per net before the remaining steps are skipped. */
  budgetS: number;
  /** 'cuda', 'cpu', or 'off' for no PyTorch run. */
  torch: 'cuda' | 'cpu' | 'off';
  /** Accept a software adapter (SwiftShader): only for testing the pack, never for numbers. */
  allowSoftware: boolean;
  log: (line: string) => void;
}

export const defaultGpuBench: Omit<GpuBenchOptions, 'log'> = {
  nets: ['resnet34@128', 'resnet34@384'],
  batch: 32,
  warmup: 3,
  steps: 10,
  inferSteps: 10,
  budgetS: 45,
  torch: 'cuda',
  allowSoftware: false,
};

/** Median/min/max of a list of milliseconds. */
function stats(ms: number[]): { median: number; min: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** Images per second from a batch size and milliseconds per batch. */
const imgPerS = (batch: number, ms: number) => round((batch * 1000) / ms);

function parseNet(spec: string): { arch: ModelArch; size: number } {
  const [arch, size] = spec.split('@');
  const n = Number(size);
  if (!(modelArchs as readonly string[]).includes(arch ?? '') || !Number.isInteger(n) || n < 32)
    throw new Error(`gpu bench: bad net '${spec}' (want arch@size, e.g. resnet34@128)`);
  return { arch: arch as ModelArch, size: n };
}

/**
 * Starts Dawn, checks its adapter is a real GPU (unless `allowSoftware`) and puts the bundled tfjs
 * on its WebGPU backend. Returns the adapter's description for the JSON.
 * Errors: no adapter (no Vulkan driver found), or only a software one when not allowed.
 */
async function startWebgpu(allowSoftware: boolean): Promise<Record<string, unknown>> {
  // An external import: the pack ships the package (index.js + the linux-x64 dawn.node) beside us.
  const {
    gpu,
    raw,
    adapter: info,
  } = await openWebgpuAdapter(
    'no WebGPU adapter: Dawn found no Vulkan driver (check VK_DRIVER_FILES / the NVIDIA ICD json)',
  );
  const software = info.software;
  if (software && !allowSoftware)
    throw new Error(
      `only a software adapter (${adapterLine(info)}): refusing to report its numbers as GPU numbers`,
    );
  await useWebgpuBackend(gpu);
  const tf = bundledTf();
  const adapter = raw;
  const limits = adapter.limits ?? {};
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    // Dawn puts the driver here, e.g. "NVIDIA: 550.54.15 550.54.15.0".
    description: info.description,
    software,
    maxBufferSizeMiB: round((limits.maxBufferSize ?? 0) / 2 ** 20, 0),
    maxStorageBufferBindingSizeMiB: round((limits.maxStorageBufferBindingSize ?? 0) / 2 ** 20, 0),
    features: [...(adapter.features ?? [])].sort(),
    tfjsVersion: tf.version_core,
  };
}

/**
 * Trains and runs inference on one net with the WebGPU backend; every step waits for the GPU.
 * Step counts shrink when a phase outruns its share of `budgetS` (warm-ups and inference half of
 * it each, timed training all of it), never below 2 warm-ups and 3 timed runs.
 */
async function benchWebgpu(arch: ModelArch, size: number, o: GpuBenchOptions) {
  const tf = bundledTf();
  const model = buildModel({ arch, inputSize: size, channels: 6, numClasses: 31, seed: 1 });
  const x = tf.randomNormal([o.batch, size, size, 6]);
  const labels = tf.oneHot(tf.randomUniform([o.batch], 0, 31, 'int32') as Tensor1D, 31);
  const opt = tf.train.momentum(0.01, 0.9);
  const budgetMs = o.budgetS * 1000;
  const step = async () => {
    const t = performance.now();
    const loss = opt.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          model.apply(x, { training: true }) as Tensor,
        ) as Scalar,
      true,
    )!;
    const value = (await loss.data())[0]!;
    loss.dispose();
    if (!Number.isFinite(value)) throw new Error(`${arch}@${size}: loss is ${value}`);
    return { ms: performance.now() - t, loss: value };
  };
  const warmupMs: number[] = [];
  const losses: number[] = [];
  let t0 = performance.now();
  for (let i = 0; i < o.warmup; i++) {
    if (i >= 2 && performance.now() - t0 > budgetMs / 2) break;
    const r = await step();
    warmupMs.push(r.ms);
    losses.push(r.loss);
    o.log(`gpu bench: ${arch}@${size} warm-up ${i + 1}/${o.warmup}: ${Math.round(r.ms)} ms`);
  }
  const tensorsBefore = tf.memory().numTensors;
  const train: number[] = [];
  t0 = performance.now();
  for (let i = 0; i < o.steps; i++) {
    if (i >= 3 && performance.now() - t0 > budgetMs) break;
    const r = await step();
    train.push(r.ms);
    losses.push(r.loss);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  o.log(
    `gpu bench: ${arch}@${size} train: ${train.length} steps, median ${Math.round(stats(train).median)} ms`,
  );
  const timeInference = async (run: () => Tensor) => {
    const ms: number[] = [];
    const start = performance.now();
    // Run 0 compiles the inference shaders and is not timed.
    for (let i = 0; i <= o.inferSteps; i++) {
      if (i > 3 && performance.now() - start > budgetMs / 4) break;
      const t = performance.now();
      const y = tf.tidy(run);
      await y.data();
      y.dispose();
      if (i > 0) ms.push(performance.now() - t);
    }
    return ms;
  };
  const folded = foldedPredictor(model);
  const infer = await timeInference(() => folded.predict(x));
  const inferUnfolded = await timeInference(() => model.predict(x) as Tensor);
  folded.dispose();
  opt.dispose();
  model.dispose();
  tf.dispose([x, labels]);
  return { warmupMs, train, infer, inferUnfolded, losses, leaked };
}

/** nvidia-smi's view of the GPU (name, driver, memory), or null where it is not installed. */
function nvidiaSmi(): string[] | null {
  try {
    return execFileSync(
      'nvidia-smi',
      ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 },
    )
      .trim()
      .split('\n');
  } catch {
    return null;
  }
}

/** Median/min/max ms of a list of times, rounded for the JSON. */
function msSummary(ms: number[]) {
  const t = stats(ms);
  return { median: round(t.median), min: round(t.min), max: round(t.max) };
}

/**
 * Runs the nets in PyTorch first (one python3 process: quick, and it gives the reference even if
 * WebGPU later hangs), then on WebGPU, and returns one JSON-ready object with images/s side by
 * side per net (`results[i].torch` / `.webgpu`). A net that fails keeps its error in its row; the
 * others still run. `onPartial` sees the object after each phase (`complete: false`).
 */
export async function runGpuBench(
  o: GpuBenchOptions,
  onPartial?: (partial: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const nets = o.nets.map(parseNet);
  const rows: Record<string, unknown>[] = nets.map(({ arch, size }) => ({
    net: arch,
    size,
    batch: o.batch,
  }));
  const out: Record<string, unknown> = {
    bench: 'gpu',
    complete: false,
    adapter: null,
    nvidiaSmi: nvidiaSmi(),
    // In containers the NVIDIA Vulkan driver is mounted only with the 'graphics' capability.
    nvidiaDriverCapabilities: process.env.NVIDIA_DRIVER_CAPABILITIES ?? null,
    vulkanDriverFiles: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? null,
    node: process.version,
    torch: { available: false, why: ['disabled by --torch off'] },
    batch: o.batch,
    warmup: o.warmup,
    steps: o.steps,
    inferSteps: o.inferSteps,
    budgetS: o.budgetS,
    results: rows,
  };
  const partial = () => {
    out.totalSeconds = round((performance.now() - started) / 1000, 0);
    onPartial?.(out);
  };

  if (o.torch !== 'off') {
    const found = findTorch();
    if ('reasons' in found) out.torch = { available: false, why: found.reasons };
    else {
      o.log(`gpu bench: ${o.nets.join(', ')} in PyTorch ${found.version} on ${o.torch}…`);
      try {
        const ref = runTorch(found.python, {
          nets: nets.map(({ arch, size }) => ({ arch, size })),
          batch: o.batch,
          steps: o.steps,
          warmup: o.warmup,
          inferSteps: o.inferSteps,
          threads: os.cpus().length,
          device: o.torch,
        });
        out.torch = { available: true, ...ref.info };
        ref.results.forEach((t: TorchResult, i) => {
          const train = stats(t.trainMsPerStep);
          const infer = stats(t.inferMsPerBatch);
          rows[i]!.torch = {
            trainImgPerS: imgPerS(o.batch, train.median),
            inferImgPerS: imgPerS(o.batch, infer.median),
            trainMsPerStep: msSummary(t.trainMsPerStep),
            inferMsPerBatch: msSummary(t.inferMsPerBatch),
          };
          o.log(`gpu bench: PyTorch ${t.net}@${t.size}: ${JSON.stringify(rows[i]!.torch)}`);
        });
      } catch (err) {
        const error = (err instanceof Error ? err.message : String(err)).slice(-2000);
        out.torch = { available: true, error };
        o.log(`gpu bench: PyTorch failed: ${error}`);
      }
    }
    partial();
  }

  // Without an adapter the PyTorch half still stands: one trip to a GPU machine gives what it can.
  let adapterOk = false;
  try {
    out.adapter = await startWebgpu(o.allowSoftware);
    adapterOk = true;
    o.log(`gpu bench: WebGPU adapter ${JSON.stringify(out.adapter)}`);
  } catch (err) {
    out.adapter = { error: err instanceof Error ? err.message : String(err) };
    o.log(`gpu bench: WebGPU did not start: ${(out.adapter as { error: string }).error}`);
  }
  partial();
  for (const [i, { arch, size }] of nets.entries()) {
    const row = rows[i]!;
    if (!adapterOk) {
      row.webgpu = { error: 'WebGPU did not start (see adapter.error)' };
      continue;
    }
    o.log(`gpu bench: ${arch}@${size} batch ${o.batch} on WebGPU…`);
    const t0 = performance.now();
    try {
      const r = await benchWebgpu(arch, size, o);
      const w = {
        trainImgPerS: imgPerS(o.batch, stats(r.train).median),
        inferImgPerS: imgPerS(o.batch, stats(r.infer).median),
        inferUnfoldedImgPerS: imgPerS(o.batch, stats(r.inferUnfolded).median),
        trainMsPerStep: msSummary(r.train),
        inferMsPerBatch: msSummary(r.infer),
        timedSteps: r.train.length,
        timedInferBatches: r.infer.length,
        // The first warm-up step includes compiling every shader of the net.
        warmupMs: r.warmupMs.map((v) => round(v, 0)),
        lossFirst: round(r.losses[0]!, 3),
        lossLast: round(r.losses.at(-1)!, 3),
        leakedTensorsPerRun: r.leaked,
        seconds: round((performance.now() - t0) / 1000),
      };
      row.webgpu = w;
      o.log(
        `gpu bench: WebGPU ${arch}@${size}: ${w.trainImgPerS} img/s train, ${w.inferImgPerS} infer`,
      );
      const t = row.torch as { trainImgPerS: number; inferImgPerS: number } | undefined;
      if (t) {
        row.webgpuOverTorchTrain = round(w.trainImgPerS / t.trainImgPerS, 3);
        row.webgpuOverTorchInfer = round(w.inferImgPerS / t.inferImgPerS, 3);
      }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      row.webgpu = { error };
      o.log(`gpu bench: ${arch}@${size} on WebGPU failed: ${error}`);
    }
    partial();
  }
  out.complete = true;
  out.totalSeconds = round((performance.now() - started) / 1000, 0);
  return out;
}

const usage = `usage: bench.mjs [--nets resnet34@128,resnet34@384] [--batch 32] [--warmup 3] [--steps 10]
  [--infer-steps 10] [--budget-s 45] [--torch cuda|cpu|off] [--allow-software] [--out FILE]`;

/** Command line: prints progress on stderr and the JSON on stdout (and into --out). */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nets: { type: 'string' },
      batch: { type: 'string' },
      warmup: { type: 'string' },
      steps: { type: 'string' },
      'infer-steps': { type: 'string' },
      'budget-s': { type: 'string' },
      torch: { type: 'string' },
      'allow-software': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stderr.write(`${usage}\n`);
    return 0;
  }
  const int = (name: string, v: string | undefined, fallback: number, min: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`gpu bench: --${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const torch = values.torch ?? defaultGpuBench.torch;
  if (torch !== 'cuda' && torch !== 'cpu' && torch !== 'off')
    throw new Error(`gpu bench: --torch must be cuda, cpu or off, got '${torch}'`);
  // tfjs greets Node users on stdout; stdout carries only the JSON.
  console.log = console.error;
  const result = await runGpuBench(
    {
      nets: values.nets?.split(',') ?? defaultGpuBench.nets,
      batch: int('batch', values.batch, defaultGpuBench.batch, 1),
      warmup: int('warmup', values.warmup, defaultGpuBench.warmup, 1),
      steps: int('steps', values.steps, defaultGpuBench.steps, 1),
      inferSteps: int('infer-steps', values['infer-steps'], defaultGpuBench.inferSteps, 1),
      budgetS: int('budget-s', values['budget-s'], defaultGpuBench.budgetS, 1),
      torch,
      allowSoftware: values['allow-software'] === true,
      log: (line) => process.stderr.write(`${line}\n`),
    },
    (partial) => {
      // A run cut short by a timeout still leaves what it measured.
      if (values.out) writeFileSync(values.out, `${JSON.stringify(partial, null, 2)}\n`);
    },
  );
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (values.out) writeFileSync(values.out, text);
  process.stdout.write(text);
  const failed = (result.results as Record<string, { error?: string }>[]).some(
    (r) => r.webgpu?.error !== undefined,
  );
  return failed ? 3 : 0;
}

// Entry point as `node bench.mjs` (the bundle) and through run-ts.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`gpu bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
