// The batch streams end to end with real PNGs: every sample of a batch equals an independent
// crop → D4 → normalise of the decoded site; seeds repeat; the worker and in-process paths agree;
// the decoded cache is filled; several workers give the same batches in order, also under a tiny
// cache budget; cancellation and early exits stop the workers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteKey } from '../../dataset/layout';
import { writeFixtureSites, type FixtureSite } from '../../../../test-support/imaging/fixtures';
import { loadRawSite } from '../load-site';
import { channelStats, normalize } from '../normalize';
import {
  createBatchStream,
  evalStream,
  liveWorkers,
  trainPlans,
  type BatchStreamOptions,
  type CacheStreamStats,
} from './batch-stream';
import { applyD4 } from './d4';
import type { Batch, PipelineSample } from './types';

let root: string;
let data: string;
let fixture: FixtureSite[];
let samples: PipelineSample[];
const RES = 24;
const CROP = 16;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'imaging-pipe-'));
  data = path.join(root, 'data');
  const wells = ['B02', 'B03', 'B04', 'C02', 'C03', 'C04', 'D02'];
  const refs = wells.map((well, i) => ({
    split: 'train' as const,
    experiment: i < 4 ? 'HUVEC-01' : 'RPE-01',
    plate: 1,
    well,
    site: 1,
  }));
  fixture = await writeFixtureSites(data, refs, { size: 32 });
  samples = fixture.map((s, i) => ({
    relPaths: s.relPaths,
    label: 100 + i,
    siteKey: siteKey(s),
    experiment: s.experiment,
    plate: s.plate,
  }));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const base = (): BatchStreamOptions => ({
  root: data,
  samples,
  resolution: RES,
  cropSize: CROP,
  batchSize: 3,
  shuffle: true,
  seed: 7,
  augment: { d4: true, intensityJitter: 0.2 },
  normalization: 'per-image',
});

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** Independent reference for one planned sample: normalise the whole site, crop, D4, jitter. */
async function expectedSample(
  index: number,
  plan: { x0: number; y0: number; d4: number; scale: number[]; shift: number[] },
) {
  const raw = await loadRawSite(data, samples[index]!.relPaths, { size: RES });
  const norm = normalize(raw.data, channelStats(raw.data));
  const crop = new Float32Array(CROP * CROP * 6);
  for (let y = 0; y < CROP; y++)
    for (let x = 0; x < CROP; x++)
      for (let c = 0; c < 6; c++) {
        const v = norm[((plan.y0 + y) * RES + plan.x0 + x) * 6 + c]!;
        crop[(y * CROP + x) * 6 + c] = v * plan.scale[c]! + plan.shift[c]!;
      }
  return applyD4(crop, CROP, 6, plan.d4);
}

describe('createBatchStream', () => {
  it('builds every sample as crop → D4 → normalise → jitter of its site, covering each sample once', async () => {
    const opts = { ...base(), inProcess: true };
    const batches = await collect(createBatchStream(opts));
    const plans = [...trainPlans(opts)];
    expect(batches.map((b) => b.n)).toEqual([3, 3, 1]);
    expect(batches.flatMap((b) => b.keys).sort()).toEqual(samples.map((s) => s.siteKey).sort());
    expect(plans.flatMap((p) => p.samples.map((s) => s.d4)).some((d) => d !== 0)).toBe(true);
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!;
      expect(batch.x.length).toBe(batch.n * CROP * CROP * 6);
      for (let k = 0; k < batch.n; k++) {
        const plan = plans[b]!.samples[k]!;
        expect(batch.y[k]).toBe(samples[plan.index]!.label);
        expect(batch.keys[k]).toBe(samples[plan.index]!.siteKey);
        const want = await expectedSample(plan.index, plan);
        const got = batch.x.subarray(k * want.length, (k + 1) * want.length);
        let maxErr = 0;
        for (let i = 0; i < want.length; i++)
          maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
        expect(maxErr).toBeLessThan(1e-4);
      }
    }
  });

  it('is deterministic for a seed, the same in the worker as in-process, different for another seed', async () => {
    const a = await collect(createBatchStream({ ...base(), epochs: 2 }));
    const b = await collect(createBatchStream({ ...base(), epochs: 2, inProcess: true }));
    const c = await collect(createBatchStream({ ...base(), epochs: 2, seed: 8, inProcess: true }));
    expect(a.length).toBe(6);
    expect(a.map((x) => x.epoch)).toEqual([0, 0, 0, 1, 1, 1]);
    const flat = (bs: Batch[]) => Buffer.concat(bs.map((x) => Buffer.from(x.x.buffer)));
    expect(flat(a).equals(flat(b))).toBe(true);
    expect(a.flatMap((x) => x.keys)).toEqual(b.flatMap((x) => x.keys));
    expect(flat(a).equals(flat(c))).toBe(false);
    // Epochs reshuffle.
    expect(a.slice(0, 3).flatMap((x) => x.keys)).not.toEqual(a.slice(3).flatMap((x) => x.keys));
    expect(liveWorkers()).toBe(0);
  });

  it('fills the decoded cache on the first pass and gives identical batches from it', async () => {
    const cacheFile = path.join(root, 'cache', `decoded-${RES}.bin`);
    const first = await collect(createBatchStream({ ...base(), cacheFile }));
    const index = JSON.parse(fs.readFileSync(`${cacheFile}.index.json`, 'utf8')) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(index.entries).sort()).toEqual(samples.map((s) => s.siteKey).sort());
    expect(fs.statSync(cacheFile).size).toBe(samples.length * RES * RES * 6);
    const second = await collect(createBatchStream({ ...base(), cacheFile }));
    expect(fs.statSync(cacheFile).size).toBe(samples.length * RES * RES * 6);
    for (let i = 0; i < first.length; i++)
      expect(Buffer.from(second[i]!.x.buffer).equals(Buffer.from(first[i]!.x.buffer))).toBe(true);
  });

  it('gives the same batches in the same order with 2 or 3 workers as in-process, and under a tiny cache budget', async () => {
    const opts = { ...base(), batchSize: 2, epochs: 3 };
    const flat = (bs: Batch[]) => Buffer.concat(bs.map((x) => Buffer.from(x.x.buffer)));
    const ref = await collect(createBatchStream({ ...opts, inProcess: true }));
    expect(ref.length).toBe(12);
    for (const workers of [2, 3]) {
      const got = await collect(createBatchStream({ ...opts, workers }));
      expect(got.map((b) => b.index)).toEqual(ref.map((b) => b.index));
      expect(got.flatMap((b) => b.keys)).toEqual(ref.flatMap((b) => b.keys));
      expect(flat(got).equals(flat(ref))).toBe(true);
    }
    // Three workers share one cache that holds 3 of the 7 sites: evictions, reads still exact.
    const cacheFile = path.join(root, 'tiny', `decoded-${RES}.bin`);
    const budgetBytes = 3 * RES * RES * 6;
    let stats: CacheStreamStats | null = null;
    const cached = await collect(
      createBatchStream({
        ...opts,
        workers: 3,
        cacheFile,
        cacheLimits: { budgetBytes },
        onCacheStats: (s) => (stats = s),
      }),
    );
    expect(flat(cached).equals(flat(ref))).toBe(true);
    expect(stats!.evicted).toBeGreaterThan(0);
    expect(stats!.hits + stats!.misses).toBe(3 * samples.length);
    expect(fs.statSync(cacheFile).size).toBeLessThanOrEqual(budgetBytes);
    const again = await collect(
      createBatchStream({ ...opts, cacheFile, cacheLimits: { budgetBytes } }),
    );
    expect(flat(again).equals(flat(ref))).toBe(true);
    expect(liveWorkers()).toBe(0);
    expect(() => createBatchStream({ ...opts, workers: 0 })).toThrow(
      /decode workers 0 must be a positive integer/,
    );
  });

  it('warns once when the disk fills up under the cache, and keeps the batches exact', async () => {
    const site = RES * RES * 6;
    const ref = await collect(createBatchStream({ ...base(), inProcess: true }));
    const cacheFile = path.join(root, 'fulldisk', `decoded-${RES}.bin`);
    let free = 2 * 1024 ** 3 + 2 * site; // room for two sites above the 2 GiB reserve
    const warnings: string[] = [];
    const got = await collect(
      createBatchStream({
        ...base(),
        workers: 2,
        cacheFile,
        cacheLimits: {
          freeBytes: () => {
            const now = free;
            free = Math.max(2 * 1024 ** 3, free - site);
            return now;
          },
        },
        onCacheWarning: (w) => warnings.push(w),
      }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/the disk has 2\.0 GiB free.*stopped growing at 2 sites/);
    expect(fs.statSync(cacheFile).size).toBe(2 * site);
    const flat = (bs: Batch[]) => Buffer.concat(bs.map((x) => Buffer.from(x.x.buffer)));
    expect(flat(got).equals(flat(ref))).toBe(true);
  });

  it('per-experiment stats from a table; a missing table entry is an error', async () => {
    const stats = {
      experiments: {
        'HUVEC-01': { mean: [1, 2, 3, 4, 5, 6], std: [2, 2, 2, 2, 2, 2] },
        'RPE-01': { mean: [0, 0, 0, 0, 0, 0], std: [1, 1, 1, 1, 1, 1] },
      },
    };
    const [b] = await collect(
      evalStream({
        root: data,
        samples: samples.slice(5, 6),
        resolution: RES,
        batchSize: 1,
        normalization: 'per-experiment',
        stats,
        inProcess: true,
      }),
    );
    const raw = await loadRawSite(data, samples[5]!.relPaths, { size: RES });
    expect(Array.from(b!.x.subarray(0, 12))).toEqual(Array.from(raw.data.subarray(0, 12)));
    await expect(
      collect(
        evalStream({
          root: data,
          samples,
          resolution: RES,
          batchSize: 2,
          normalization: 'per-plate-controls',
          stats,
          inProcess: true,
        }),
      ),
    ).rejects.toThrow(/negative-control stats for HUVEC-01 plate 1/);
  });

  it('stops on abort and on an early break, and the worker is gone', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const err = await (async () => {
      for await (const b of createBatchStream({
        ...base(),
        batchSize: 1,
        epochs: 5,
        signal: ac.signal,
      })) {
        seen.push(b.index);
        if (seen.length === 2) ac.abort();
      }
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(seen).toEqual([0, 1]);
    expect(liveWorkers()).toBe(0);
    for await (const b of createBatchStream({ ...base(), batchSize: 1, epochs: 5 }))
      if (b.index === 1) break;
    expect(liveWorkers()).toBe(0);
  });

  it('reports a missing image by name through the worker', async () => {
    const broken = [
      {
        ...samples[0]!,
        relPaths: samples[0]!.relPaths.map((p, i) => (i === 2 ? p.replace('_w3', '_w9') : p)),
      },
    ];
    const err = await collect(createBatchStream({ ...base(), samples: broken })).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String((err as Error).message)).toContain('B02_s1_w9.png');
    expect(liveWorkers()).toBe(0);
  });
});

describe('evalStream', () => {
  it('yields every sample in order, centre-cropped, with an optional fixed D4 for TTA', async () => {
    const plain = await collect(
      evalStream({
        root: data,
        samples,
        resolution: RES,
        cropSize: CROP,
        batchSize: 4,
        normalization: 'per-image',
      }),
    );
    expect(plain.flatMap((b) => b.keys)).toEqual(samples.map((s) => s.siteKey));
    expect(plain.flatMap((b) => Array.from(b.y))).toEqual(samples.map((s) => s.label));
    const off = (RES - CROP) / 2;
    const ident = { x0: off, y0: off, d4: 0, scale: [1, 1, 1, 1, 1, 1], shift: [0, 0, 0, 0, 0, 0] };
    const want = await expectedSample(5, ident);
    const got = plain[1]!.x.subarray(CROP * CROP * 6, 2 * CROP * CROP * 6);
    for (let i = 0; i < want.length; i += 5) expect(got[i]).toBeCloseTo(want[i]!, 4);
    const tta = await collect(
      evalStream({
        root: data,
        samples,
        resolution: RES,
        cropSize: CROP,
        batchSize: 4,
        normalization: 'per-image',
        d4: 3,
        inProcess: true,
      }),
    );
    const rotated = applyD4(plain[0]!.x.subarray(0, CROP * CROP * 6), CROP, 6, 3);
    expect(Array.from(tta[0]!.x.subarray(0, CROP * CROP * 6))).toEqual(Array.from(rotated));
    const full = await collect(
      evalStream({
        root: data,
        samples: samples.slice(0, 1),
        resolution: RES,
        batchSize: 4,
        normalization: 'per-image',
        inProcess: true,
      }),
    );
    expect(full[0]!.size).toBe(RES);
  });
});
