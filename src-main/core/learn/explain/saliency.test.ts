// computeSaliency on a real tiny trained run (real PNGs, real catalog, per-plate-controls
// normalisation): the site's input is bit for bit the prediction batch's, IG reports progress and
// completeness, and the run-folder cache serves a second call while another class does not.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { trainTinyRun } from '../../../../test-support/learn/tiny-config';
import { openCatalog } from '../../catalog/db';
import { resolveRunStats } from '../data/normalization';
import { buildSamples } from '../data/samples';
import { datasetRoot, loadSiteRows, type SiteRow } from '../data/site-rows';
import { loadPredictionSet, predictRun } from '../predict/predict';
import { predictionBatches } from '../predict/site-probabilities';
import { loadRunContext } from '../runs/run-context';
import { computeSaliency, siteModelInputs } from './saliency';
import {
  explainDir,
  readCachedSaliency,
  saliencyKey,
  type SaliencyKeyParts,
} from './saliency-cache';

let ds: TinyDataset;
let runDir: string;
let rows: SiteRow[];
let root: string;
let valRows: SiteRow[];

beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 2, negativeControls: true });
  runDir = path.join(ds.root, 'runs', 's1');
  await trainTinyRun(ds.dbFile, runDir, { epochs: 2, normalization: 'per-plate-controls' });
  await predictRun({ runDir, split: 'val' });
  const db = openCatalog(ds.dbFile);
  try {
    rows = loadSiteRows(db);
    root = datasetRoot(db, ds.dbFile);
  } finally {
    db.close();
  }
  const val = new Set(loadRunContext(runDir).split.val);
  valRows = rows.filter((r) => r.split === 'train' && val.has(r.idCode) && r.complete);
}, 120_000);
afterAll(() => ds.cleanup());

describe('computeSaliency', () => {
  it('explains the site tensor prediction used, bit for bit', async () => {
    const ctx = loadRunContext(runDir);
    // The whole validation split as prediction batched it (its stats over all predicted rows).
    const { samples } = buildSamples(
      valRows,
      new Set(valRows.map((r) => r.idCode)),
      ctx.classes,
      ctx.config.target,
    );
    const stats = await resolveRunStats(root, ds.dbFile, ctx.config.normalization, valRows);
    const { batches } = predictionBatches({
      root,
      samples,
      config: ctx.config,
      stats,
      views: [0],
    });
    const full = new Map<string, Float32Array>();
    for await (const b of batches) {
      const per = b.cropSize * b.cropSize * 6;
      b.keys.forEach((k, j) => full.set(k, b.x.slice(j * per, (j + 1) * per)));
    }
    for (const row of valRows.slice(0, 3)) {
      const site = await siteModelInputs(ctx, root, ds.dbFile, row);
      const mine = (await site.inputs[0]!.data()) as Float32Array;
      site.inputs.forEach((t) => t.dispose());
      const theirs = full.get(samples[valRows.indexOf(row)]!.siteKey)!;
      expect(Buffer.compare(Buffer.from(mine.buffer), Buffer.from(theirs.buffer))).toBe(0);
    }
  });

  it('computes shares that sum to 1, progress per IG step, a small IG gap, the crop geometry', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const w = set.wells[0]!;
    const label = set.labels[w.top]!;
    const steps: string[] = [];
    const meta = await computeSaliency(
      {
        runDir,
        dbFile: ds.dbFile,
        idCode: w.idCode,
        site: 1,
        classLabel: label,
        method: 'integrated-gradients',
        steps: 16,
      },
      { onProgress: (_d, _t, m) => m && steps.push(m) },
    );
    expect(steps.filter((m) => m.startsWith('gradient step'))).toHaveLength(16);
    expect(meta.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(meta.shares).toHaveLength(6);
    expect(meta.height).toBe(16);
    expect(meta.geometry).toEqual({ imageSize: 20, x0: 2, y0: 2 });
    expect(meta.completenessGap).toBeLessThan(0.1);
    expect(meta.warnings).toEqual([]);
    const file = path.join(explainDir(runDir), `${meta.key}.f32`);
    expect(fs.statSync(file).size).toBe(16 * 16 * 6 * 4);
  });

  it('serves a second call from the cache; another class, method or checkpoint is a miss', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const w = set.wells[1]!;
    const input = {
      runDir,
      dbFile: ds.dbFile,
      idCode: w.idCode,
      site: 2,
      classLabel: set.labels[w.top]!,
      method: 'gradient-x-input' as const,
      steps: 1,
    };
    const first = await computeSaliency(input);
    const progress: string[] = [];
    const again = await computeSaliency(input, {
      onProgress: (_d, _t, m) => m && progress.push(m),
    });
    expect(again).toEqual(first);
    // Nothing loaded or computed the second time.
    expect(progress).toEqual([]);
    const parts: SaliencyKeyParts = {
      runId: 's1',
      checkpointSha256: first.checkpoint.sha256,
      idCode: w.idCode,
      site: 2,
      classLabel: input.classLabel,
      method: 'gradient-x-input',
      steps: 1,
    };
    expect(readCachedSaliency(runDir, parts)?.meta.key).toBe(first.key);
    const other = set.labels.find((l) => l !== input.classLabel)!;
    expect(readCachedSaliency(runDir, { ...parts, classLabel: other })).toBeNull();
    expect(readCachedSaliency(runDir, { ...parts, checkpointSha256: 'f'.repeat(64) })).toBeNull();
    expect(readCachedSaliency(runDir, { ...parts, method: 'integrated-gradients' })).toBeNull();
    const otherClass = await computeSaliency(
      { ...input, classLabel: other },
      {
        onProgress: (_d, _t, m) => m && progress.push(m),
      },
    );
    expect(otherClass.key).not.toBe(first.key);
    expect(progress).toContain('gradient step 1/1');
    // A torn cache entry (values not matching their json) is recomputed, not served.
    const f32 = path.join(explainDir(runDir), `${first.key}.f32`);
    fs.writeFileSync(f32, Buffer.alloc(16));
    expect(readCachedSaliency(runDir, parts)).toBeNull();
    expect(saliencyKey(parts)).toBe(first.key);
  });

  it('refuses weights that no longer match the manifest, naming the file', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const w = set.wells[0]!;
    const weights = path.join(runDir, 'best', 'weights.bin');
    const saved = fs.readFileSync(weights);
    try {
      const bad = Buffer.from(saved);
      bad[0] = bad[0]! ^ 0xff;
      fs.writeFileSync(weights, bad);
      await expect(
        computeSaliency({
          runDir,
          dbFile: ds.dbFile,
          idCode: w.idCode,
          site: 1,
          classLabel: set.labels[w.top]!,
          method: 'integrated-gradients',
          steps: 4,
        }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('weights.bin'),
      });
    } finally {
      fs.writeFileSync(weights, saved);
    }
  });
});
