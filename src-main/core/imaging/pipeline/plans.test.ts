// Batch plans: the one intensity-jitter formula (a·x + b per channel, a ~ N(1, j) floored at 0.1,
// b ~ N(0, j): the RxRx1 1st-place pixel-wise augmentation) is what training draws; evaluation plans
// are centre crops without jitter; training and the plain batch stream draw the same plans.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../util/rng';
import { trainPlans } from './batch-stream';
import { drawJitter, epochOrder, evalPlans, evalSamplePlan, trainStepPlan } from './plans';

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}

describe('intensity jitter', () => {
  it('training draws a per-channel scale ~ N(1, j) and shift ~ N(0, j)', () => {
    const j = 0.1;
    const opts = {
      seed: 3,
      imageSize: 40,
      cropSize: 32,
      batchSize: 50,
      augment: { d4: true, intensityJitter: j },
    };
    const order = Array.from({ length: 50 }, (_, i) => i);
    const scales: number[] = [];
    const shifts: number[] = [];
    for (let step = 0; step < 40; step++)
      for (const p of trainStepPlan(order, { ...opts, seed: step }, 0, 0)) {
        scales.push(...p.scale);
        shifts.push(...p.shift);
      }
    for (let step = 0; step < 40; step++)
      for (const p of trainStepPlan(order, opts, step, 0)) {
        scales.push(...p.scale);
        shifts.push(...p.shift);
      }
    const a = meanStd(scales);
    const b = meanStd(shifts);
    // 24,000 draws each: the standard error of the std is ~0.0005, a uniform j·u would give 0.058.
    expect(Math.abs(a.mean - 1)).toBeLessThan(0.005);
    expect(Math.abs(a.std - j)).toBeLessThan(0.005);
    expect(Math.abs(b.mean)).toBeLessThan(0.005);
    expect(Math.abs(b.std - j)).toBeLessThan(0.005);
    // Channels are drawn independently.
    const p = trainStepPlan(order, opts, 1, 0)[0]!;
    expect(new Set(p.scale).size).toBe(6);
    expect(new Set(p.shift).size).toBe(6);
  });

  it('floors the scale at 0.1, and draws nothing at j = 0', () => {
    const rng = new SeededRng(1);
    for (let i = 0; i < 500; i++)
      for (const s of drawJitter(rng, 1).scale) expect(s).toBeGreaterThanOrEqual(0.1);
    const before = new SeededRng(9);
    const after = new SeededRng(9);
    expect(drawJitter(after, 0)).toEqual({ scale: [1, 1, 1, 1, 1, 1], shift: [0, 0, 0, 0, 0, 0] });
    expect(after.next()).toBe(before.next());
  });
});

describe('plans', () => {
  it('evaluation plans are centre crops of every view, a site’s views side by side', () => {
    const geom = { imageSize: 40, cropSize: 31 };
    expect(evalSamplePlan(2, geom, 5)).toEqual({
      index: 2,
      x0: 4,
      y0: 4,
      d4: 5,
      scale: [1, 1, 1, 1, 1, 1],
      shift: [0, 0, 0, 0, 0, 0],
    });
    const plans = [
      ...evalPlans([7, 8, 9], { ...geom, batchSize: 16, views: [0, 1, 2, 3, 4, 5, 6, 7] }),
    ];
    expect(plans.map((p) => p.id)).toEqual([0, 1]);
    expect(plans[0]!.samples.map((s) => [s.index, s.d4])).toEqual(
      [7, 8].flatMap((i) => [0, 1, 2, 3, 4, 5, 6, 7].map((d) => [i, d])),
    );
    expect(plans[1]!.samples.map((s) => s.index)).toEqual(new Array(8).fill(9));
  });

  it('the batch stream draws the trainer’s plans: order from (seed, epoch), draws from (seed, epoch, step)', () => {
    const opts = {
      root: '',
      samples: [],
      normalization: 'per-image' as const,
      seed: 4,
      imageSize: 24,
      cropSize: 16,
      batchSize: 3,
      shuffle: true,
      augment: { d4: true, intensityJitter: 0.2 },
      epochs: 2,
    };
    const n = 7;
    const stream = [...trainPlans({ ...opts, samples: new Array(n).fill(null) })];
    expect(stream).toHaveLength(6);
    stream.forEach((plan, k) => {
      const epoch = Math.floor(k / 3);
      const order = epochOrder(opts.seed, epoch, n);
      expect(plan.samples).toEqual(trainStepPlan(order, opts, epoch, k % 3));
    });
  });
});
