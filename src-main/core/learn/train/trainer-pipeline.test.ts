// The trainer on the imaging pipeline, on a tiny synthetic RxRx1 dataset: batches come from the
// worker thread, the decoded-site cache serves every site from the second epoch, non-default
// normalisations run without a fallback warning, and no tensors outlive the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../catalog/db';
import { indexDataset } from '../../catalog/indexer';
import { generateSynthDataset } from '../../dataset/synth/index';
import { liveWorkers } from '../../imaging/pipeline/batch-stream';
import { readSplit } from '../runs/run-folder';
import { loadSiteRows } from '../data/site-rows';
import type { TrainStarted } from './messages';
import { initTf } from './tf-runtime';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';
import { decodedCacheFile, runTraining } from './trainer';

let root: string;
let dbFile: string;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-trainer-pipeline-'));
  await generateSynthDataset({ preset: 'tiny', outDir: path.join(root, 'data') });
  dbFile = path.join(root, 'catalog.sqlite');
  const db = openCatalog(dbFile);
  try {
    await indexDataset({ root: path.join(root, 'data'), db, threads: 0 });
  } finally {
    db.close();
  }
}, 60_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('runTraining on the imaging pipeline', () => {
  for (const normalization of ['per-experiment', 'per-plate-controls'] as const) {
    it(`trains with '${normalization}' from the worker stream, cached from epoch 2, leak-free`, async () => {
      const { tf } = await initTf();
      const tensorsBefore = tf.memory().numTensors;
      const runDir = path.join(root, `run-${normalization}`);
      const cacheFile = path.join(root, `cache-${normalization}`, 'decoded.bin');
      let workersDuringSteps = 0;
      let cache: { hits: number; misses: number } | null = null;
      let started: TrainStarted | null = null;
      const summary = await runTraining(
        {
          dbFile,
          runDir,
          cacheFile,
          config: tinyTrainConfig({ epochs: 2, normalization, includeControls: true }),
        },
        {
          emit: (m) => {
            if (m.type === 'started') started = m.info;
            if (m.type === 'step') workersDuringSteps = Math.max(workersDuringSteps, liveWorkers());
          },
          isCancelled: () => false,
          onCacheStats: (s) => (cache = s),
        },
      );
      expect(summary.status).toBe('done');
      expect(summary.warnings.join('\n')).not.toMatch(/not supported|fall/i);
      expect(workersDuringSteps).toBe(1);
      expect(liveWorkers()).toBe(0);
      // Epoch 1 decodes each train + val site once; epoch 2 reads them all from the cache.
      const split = readSplit(runDir);
      expect(split.train.length).toBeGreaterThan(0);
      expect(cache).not.toBeNull();
      const c = cache as unknown as { hits: number; misses: number };
      const db = openCatalog(dbFile);
      const rows = loadSiteRows(db, 'train').filter((r) => r.complete);
      db.close();
      const val = new Set(split.val);
      const valSites = rows.filter((r) => val.has(r.idCode)).length;
      const batchSize = 8;
      const perEpoch = started!.stepsPerEpoch * batchSize + valSites;
      // Each epoch reads every val site and all but the dropped last partial batch of train sites:
      // only sites never seen before miss, so the second epoch is (nearly) all hits.
      expect(c.hits + c.misses).toBe(2 * perEpoch);
      expect(c.misses).toBeLessThanOrEqual(started!.trainSites + valSites);
      expect(c.hits).toBeGreaterThanOrEqual(2 * perEpoch - started!.trainSites - valSites);
      expect(c.hits).toBeGreaterThan(0.8 * perEpoch);
      expect(fs.statSync(cacheFile).size).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }, 60_000);
  }

  it('puts the default decoded cache beside the catalog, one file per resolution', () => {
    expect(decodedCacheFile('/x/cat.sqlite', 64)).toBe('/x/decoded-cache/cat-64.bin');
    expect(decodedCacheFile('/x/cat.sqlite', 96)).not.toBe(decodedCacheFile('/x/cat.sqlite', 64));
  });
});
