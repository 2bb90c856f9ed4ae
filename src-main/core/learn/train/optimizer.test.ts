// Optimiser updates against the textbook formulas on a tiny tensor (Adam, AdamW, steps 1 and 2 with
// bias correction and weight decay), the config → optimiser choice, and state save/restore.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Variable } from '../backend/tf';
import { getTf } from '../backend/tf';
import { ADAM_DEFAULTS, createOptimizer, type OptimizerKind } from './optimizer';
import { initTf } from './tf-runtime';

beforeAll(async () => {
  await initTf();
});

const W0 = [1, -2, 0.5, 3]; // a 2×2 kernel: decayed
const B0 = [0.1, -0.1]; // a bias: never decayed
const G1 = { w: [0.2, -0.4, 1.0, -0.05], b: [0.3, -0.6] };
const G2 = { w: [-0.1, 0.3, 0.5, 0.2], b: [0.1, 0.2] };
const LR = 0.01;
const WD = 0.1;
const { beta1: B1, beta2: B2, epsilon: EPS } = ADAM_DEFAULTS;

/** Runs two updates through the real optimiser; returns the weights after step 1 and step 2. */
async function twoSteps(kind: OptimizerKind, weightDecay: number) {
  const tf = getTf();
  const w = tf.variable(tf.tensor2d(W0, [2, 2]), true, `w-${kind}-${weightDecay}`);
  const b = tf.variable(tf.tensor1d(B0), true, `b-${kind}-${weightDecay}`);
  const opt = createOptimizer({ optimizer: kind, momentum: 0.9, weightDecay }, [
    w,
    b,
  ] as Variable[]);
  const grads = (g: { w: number[]; b: number[] }) => [tf.tensor2d(g.w, [2, 2]), tf.tensor1d(g.b)];
  const read = () => ({ w: Array.from(w.dataSync()), b: Array.from(b.dataSync()) });
  const g1 = grads(G1);
  opt.apply(g1, LR);
  const after1 = read();
  const g2 = grads(G2);
  opt.apply(g2, LR);
  const after2 = read();
  const state = await opt.state();
  tf.dispose([...g1, ...g2]);
  opt.dispose();
  w.dispose();
  b.dispose();
  return { kind: opt.kind, after1, after2, state };
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThan(2e-6));
}

describe('Adam and AdamW updates (Kingma & Ba 2015; Loshchilov & Hutter 2019)', () => {
  it('Adam with coupled L2 decay: step 1 moves each weight by lr·sign(g + wd·w), step 2 by the bias-corrected ratio', async () => {
    const r = await twoSteps('adam', WD);
    expect(r.kind).toBe('adam');
    // Step 1: m = (1−β1)g', v = (1−β2)g'², so m̂ = g', v̂ = g'² and the step is lr·g'/(|g'|+ε).
    const gw1 = G1.w.map((g, i) => g + WD * W0[i]!); // kernel gradient with L2: 0.3, −0.6, 1.05, 0.25
    expect(gw1.map((x) => +x.toFixed(6))).toEqual([0.3, -0.6, 1.05, 0.25]);
    const w1 = W0.map((w, i) => w - LR * Math.sign(gw1[i]!)); // |g'| ≫ ε
    const b1 = B0.map((w, i) => w - LR * Math.sign(G1.b[i]!)); // no decay on the bias
    expectClose(r.after1.w, [0.99, -1.99, 0.49, 2.99]);
    expectClose(r.after1.w, w1);
    expectClose(r.after1.b, b1);
    // Step 2: g'' = g2 + wd·w1; m = β1(1−β1)g' + (1−β1)g''; v likewise; corrections 1−β^2.
    const step2 = (w: number, ga: number, gb: number) => {
      const m = B1 * (1 - B1) * ga + (1 - B1) * gb;
      const v = B2 * (1 - B2) * ga * ga + (1 - B2) * gb * gb;
      return w - (LR * (m / (1 - B1 ** 2))) / (Math.sqrt(v / (1 - B2 ** 2)) + EPS);
    };
    const gw2 = G2.w.map((g, i) => g + WD * w1[i]!);
    expectClose(
      r.after2.w,
      w1.map((w, i) => step2(w, gw1[i]!, gw2[i]!)),
    );
    expectClose(
      r.after2.b,
      b1.map((w, i) => step2(w, G1.b[i]!, G2.b[i]!)),
    );
    // The state is t = 2, then m and v of each variable.
    expect(r.state.step).toBe(2);
    expect(r.state.slots.map((s) => s.length)).toEqual([4, 2, 4, 2]);
    expectClose(
      Array.from(r.state.slots[0]!),
      gw1.map((ga, i) => B1 * (1 - B1) * ga + (1 - B1) * gw2[i]!),
    );
    expectClose(
      Array.from(r.state.slots[3]!),
      G1.b.map((ga, i) => B2 * (1 - B2) * ga * ga + (1 - B2) * G2.b[i]! ** 2),
    );
  });

  it('AdamW decays decoupled: w ← w − lr·(m̂/(√v̂+ε) + wd·w), the moments see the raw gradient', async () => {
    const r = await twoSteps('adamw', WD);
    expect(r.kind).toBe('adamw');
    // Step 1: w − lr·sign(g) − lr·wd·w, e.g. 1 − 0.01 − 0.001 = 0.989.
    const w1 = W0.map((w, i) => w - LR * Math.sign(G1.w[i]!) - LR * WD * w);
    expectClose(r.after1.w, [0.989, -1.988, 0.4895, 3.007]);
    expectClose(r.after1.w, w1);
    const b1 = B0.map((w, i) => w - LR * Math.sign(G1.b[i]!));
    expectClose(r.after1.b, b1);
    const step2 = (w: number, ga: number, gb: number, wd: number) => {
      const m = B1 * (1 - B1) * ga + (1 - B1) * gb;
      const v = B2 * (1 - B2) * ga * ga + (1 - B2) * gb * gb;
      return w - LR * (m / (1 - B1 ** 2) / (Math.sqrt(v / (1 - B2 ** 2)) + EPS) + wd * w);
    };
    expectClose(
      r.after2.w,
      w1.map((w, i) => step2(w, G1.w[i]!, G2.w[i]!, WD)),
    );
    expectClose(
      r.after2.b,
      b1.map((w, i) => step2(w, G1.b[i]!, G2.b[i]!, 0)),
    );
  });

  it('without weight decay Adam and AdamW are the same update', async () => {
    const a = await twoSteps('adam', 0);
    const w = await twoSteps('adamw', 0);
    expect(w.after2).toEqual(a.after2);
  });
});

describe('createOptimizer', () => {
  it('builds the optimiser the config names, and SGD still follows PyTorch momentum', async () => {
    const r = await twoSteps('sgd', WD);
    expect(r.kind).toBe('sgd');
    // v1 = g + wd·w0; w1 = w0 − lr·v1; v2 = 0.9·v1 + g2 + wd·w1; w2 = w1 − lr·v2.
    const v1 = G1.w.map((g, i) => g + WD * W0[i]!);
    const w1 = W0.map((w, i) => w - LR * v1[i]!);
    const v2 = G2.w.map((g, i) => 0.9 * v1[i]! + g + WD * w1[i]!);
    expectClose(r.after1.w, w1);
    expectClose(
      r.after2.w,
      w1.map((w, i) => w - LR * v2[i]!),
    );
    expect(r.state.step).toBe(2);
    expect(r.state.slots).toHaveLength(2);
  });

  it('restores a saved state exactly and refuses one of the wrong size', async () => {
    const tf = getTf();
    const make = () => {
      const w = tf.variable(tf.tensor2d(W0, [2, 2]), true);
      return { w, opt: createOptimizer({ optimizer: 'adamw', momentum: 0, weightDecay: WD }, [w]) };
    };
    const g = tf.tensor2d(G1.w, [2, 2]);
    const a = make();
    a.opt.apply([g], LR);
    const saved = await a.opt.state();
    const b = make();
    b.w.assign(a.w);
    b.opt.setState(saved);
    a.opt.apply([g], LR);
    b.opt.apply([g], LR);
    expect(Array.from(b.w.dataSync())).toEqual(Array.from(a.w.dataSync()));
    expect(() => b.opt.setState({ step: 1, slots: [saved.slots[0]!] })).toThrow(
      /1 slots, model needs 2/,
    );
    expect(() => b.opt.setState({ step: 1.5, slots: saved.slots })).toThrow(/step count/);
    tf.dispose([g, a.w, b.w]);
    a.opt.dispose();
    b.opt.dispose();
  });
});
