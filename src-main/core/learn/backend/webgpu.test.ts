// PlateLab on the tfjs WebGPU backend (Dawn), run on SwiftShader's Vulkan driver from Debian's
// chromium package: every model, PlateLab's own layers and ops, and a training run whose
// checkpoint predicts the same on wasm. Each check runs in its own process (one backend per
// process). SwiftShader is a CPU pretending to be a GPU, so sizes are tiny.
//
// Tolerances (measured on SwiftShader 5.0.0, 2026-11-30; see the README, "Compute backends"):
// - logits (model.predict and the folded predictor): max |Δ| ≤ 1e-5 × max |logit| (seen ≤ 7e-7);
// - gradients: for each weight tensor, max |Δ| ≤ 1e-4 × that tensor's max |g| (seen ≤ 3e-6);
//   taken with batch norm in inference mode (random moving statistics): with training-mode batch
//   norm on a 16-px input the last stages normalise 1×1 maps over 2–4 samples, where float noise
//   decides near-ties and even wasm and cpu disagree by O(1). The training-mode batch norm op is
//   compared on its own (≤ 1e-5, seen ≤ 4e-7) and a real training run matches wasm's losses.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunMetrics } from '../runs/list-runs';
import { REPO, runChild, runProbe } from '../../../../test-support/learn/child-probe';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { SWIFTSHADER_ENV, swiftShaderIcd } from './vulkan-driver';

/** Set by .ci/run: CI must run these tests, so a missing driver fails instead of skipping. */
const REQUIRE_ENV = 'PLATELAB_REQUIRE_WEBGPU_TESTS';

function findSwiftShader(): { icd: string | null; reason: string } {
  try {
    return { icd: swiftShaderIcd({ [SWIFTSHADER_ENV]: '1' }), reason: '' };
  } catch (err) {
    return { icd: null, reason: (err as Error).message };
  }
}

const { icd, reason } = findSwiftShader();
const run = icd !== null || process.env[REQUIRE_ENV] === '1';
const env = { [SWIFTSHADER_ENV]: icd ?? '1', PLATELAB_BACKEND: 'webgpu' };
const fixtures = path.join(REPO, 'test-support/learn/backend');
const slow = 400_000;

interface Diff {
  abs: number;
  rel: number;
  l2: number;
}
interface ModelProbe {
  line: string;
  params: number;
  logits: Diff;
  folded: Diff;
  logitScale: number;
  loss: { cpu: number; webgpu: number };
  gradTensors: number;
  gradRel: number;
  gradL2: number;
  worst: string;
  zeroGrads: number;
  tensors: { before: number; after: number; cpuBefore: number; cpuAfter: number };
  ms: { total: number };
}

const base = { inputSize: 16, channels: 6, numClasses: 5, seed: 3, cellTypeInputs: 2 };
const models = [
  { arch: 'resnet-mini', widthMultiplier: 0.25 },
  { arch: 'resnet18', widthMultiplier: 0.25 },
  { arch: 'resnet34', widthMultiplier: 0.25 },
  // 0.125 keeps whole groups (32 groups of 1 channel in the first stage).
  { arch: 'se-resnext50', widthMultiplier: 0.125 },
];

if (!run)
  it.skip(`WebGPU tests skipped: ${reason}. Set ${REQUIRE_ENV}=1 to make this a failure.`, () => {});

describe.runIf(run).concurrent('WebGPU backend on SwiftShader', () => {
  it.each(models)(
    '$arch: forward and gradients as on cpu, no tensors left',
    async (m) => {
      const r = await runProbe<ModelProbe>(path.join(fixtures, 'webgpu-model-probe.ts'), {
        env: { ...env, PROBE_MODEL: JSON.stringify({ ...base, ...m }), PROBE_BATCH: '2' },
        timeoutMs: slow - 10_000,
      });
      console.log(
        `${m.arch} (${r.params} weights): logits rel ${r.logits.rel.toExponential(1)}, folded ` +
          `${r.folded.rel.toExponential(1)}; ${r.gradTensors} gradients, worst rel ` +
          `${r.gradRel.toExponential(1)} (${r.worst}), L2 ${r.gradL2.toExponential(1)}; ` +
          `${(r.ms.total / 1000).toFixed(1)} s`,
      );
      expect(r.line).toMatch(/^backend: webgpu \(WebGPU \(Dawn/);
      expect(r.logitScale).toBeGreaterThan(0.1);
      expect(r.logits.rel).toBeLessThan(1e-5);
      expect(r.folded.rel).toBeLessThan(1e-5);
      expect(Math.abs(r.loss.webgpu - r.loss.cpu)).toBeLessThan(1e-5 * r.loss.cpu);
      expect(r.gradTensors).toBeGreaterThan(20);
      expect(r.zeroGrads).toBe(0);
      expect(r.gradRel).toBeLessThan(1e-4);
      expect(r.tensors.after).toBe(r.tensors.before);
    },
    slow,
  );

  it(
    "PlateLab's layers and ops fall back to standard kernels and match cpu",
    async () => {
      const r = await runProbe<{
        line: string;
        rel: Record<string, number>;
        kernels: string[];
        platelabKernelsOnWebgpu: string[];
        tensors: { before: number; after: number };
      }>(path.join(fixtures, 'webgpu-ops-probe.ts'), { env, timeoutMs: slow - 10_000 });
      console.log(`custom ops on WebGPU vs cpu: ${JSON.stringify(r.rel)}`);
      expect(Object.keys(r.rel)).toHaveLength(13);
      for (const [name, rel] of Object.entries(r.rel))
        expect(rel, `${name} differs from cpu`).toBeLessThan(1e-5);
      expect(r.platelabKernelsOnWebgpu).toEqual([]);
      expect(r.kernels).toEqual(
        expect.arrayContaining(['FusedBatchNorm', 'Mean', 'DepthwiseConv2dNative']),
      );
      expect(r.tensors.after).toBe(r.tensors.before);
    },
    slow,
  );

  describe('training', () => {
    let ds: TinyDataset;
    let gpuRun: string;
    let cpuRun: string;
    let gpuStderr = '';
    beforeAll(async () => {
      ds = await makeTinyDataset({ classes: 4, plates: 2, testExperiments: ['U2OS-01'] });
      const cfg = path.join(ds.root, 'cfg.json');
      fs.writeFileSync(cfg, JSON.stringify(tinyTrainConfig({ epochs: 1 })));
      gpuRun = path.join(ds.root, 'run-webgpu');
      cpuRun = path.join(ds.root, 'run-wasm');
      const bin = path.join(REPO, 'bin/platelab.js');
      const train = (out: string, extra: Record<string, string>) =>
        runChild([bin, 'train', '--db', ds.dbFile, '--out', out, '--config', cfg], {
          env: extra,
          timeoutMs: slow - 10_000,
        }).then((r) => r.stderr);
      // The wasm run is the reference for the WebGPU run's losses (same seed, same batches).
      [gpuStderr] = await Promise.all([
        train(gpuRun, env),
        train(cpuRun, { PLATELAB_BACKEND: 'wasm' }),
      ]);
    }, slow);
    afterAll(() => ds?.cleanup());

    interface TrainProbe {
      line: string;
      wells: string[];
      top: number[];
      probs: number[];
      fit: { losses: number[]; tensors: number[] } | null;
    }
    const probeOn = (backend: 'webgpu' | 'wasm', steps: number) =>
      runProbe<TrainProbe>(path.join(fixtures, 'webgpu-train-probe.ts'), {
        env: {
          ...env,
          PLATELAB_BACKEND: backend,
          PROBE_BACKEND: backend,
          PROBE_RUN: gpuRun,
          PROBE_DB: ds.dbFile,
          PROBE_STEPS: String(steps),
        },
        timeoutMs: slow - 10_000,
      });
    // One WebGPU process predicts and takes the fixed-batch steps; both tests read its result.
    let gpuProbe: Promise<TrainProbe> | null = null;
    const onWebgpu = () => (gpuProbe ??= probeOn('webgpu', 3));

    it(
      'a run trained on WebGPU matches wasm step by step and its checkpoint predicts the same on wasm',
      async () => {
        expect(gpuStderr).toMatch(
          /backend: webgpu \(WebGPU \(Dawn, Vulkan\) on google swiftshader, driver: SwiftShader driver/,
        );
        const gpu = readRunMetrics(gpuRun).steps.map((s) => s.loss);
        const cpu = readRunMetrics(cpuRun).steps.map((s) => s.loss);
        console.log(`training losses, WebGPU: ${gpu.join(', ')}; wasm: ${cpu.join(', ')}`);
        expect(gpu.length).toBeGreaterThanOrEqual(3);
        expect(gpu).toHaveLength(cpu.length);
        gpu.forEach((l, i) => expect(Math.abs(l - cpu[i]!)).toBeLessThan(1e-3 * cpu[i]!));

        const onGpu = await onWebgpu();
        // After the WebGPU probe: both write their predictions into the run and its catalog.
        const onWasm = await probeOn('wasm', 0);
        expect(onWasm.line).toMatch(/^backend: wasm/);
        expect(onGpu.wells.length).toBeGreaterThan(0);
        expect(onWasm.wells).toEqual(onGpu.wells);
        expect(onWasm.top).toEqual(onGpu.top);
        const worst = Math.max(...onGpu.probs.map((p, i) => Math.abs(p - onWasm.probs[i]!)));
        console.log(`test-well probabilities, WebGPU vs wasm: max |Δ| ${worst.toExponential(1)}`);
        expect(worst).toBeLessThan(1e-5);
      },
      slow,
    );

    it(
      'SGD steps of the training loop on WebGPU lower the loss, leaving no tensors',
      async () => {
        const r = await onWebgpu();
        const { losses, tensors } = r.fit!;
        console.log(`fixed-batch losses on WebGPU: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
        expect(losses).toHaveLength(3);
        expect(losses[2]!).toBeLessThan(losses[0]! * 0.5);
        expect(new Set(tensors).size).toBe(1);
      },
      slow,
    );
  });
});
