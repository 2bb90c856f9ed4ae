// saliency.get on a real tiny trained and predicted run: the first call starts a 'saliency' job in
// the prediction child (progress per IG step), the next is served from the run's cache as PNG
// overlays in the data folder's cache; a well without predictions and unverifiable weights are
// refused with the reason.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutput, Job, Result } from '../../../src-shared/contract';
import { makeTestApp, type TestApp } from '../../../test-support/app/test-app';
import { trainTinyRun } from '../../../test-support/learn/tiny-config';
import { forkSpawner, type ChildSpawner } from '../jobs/child-task';
import { childSaliencyLauncher } from '../learn/explain/saliency-task';
import { predictRun } from '../learn/predict/predict';
import { loadPredictionSet } from '../learn/predict/prediction-files';
import { invoke } from './dispatch';
import type { Handlers } from './handler-types';
import { saliencyHandlers } from './saliency-handlers';

let app: TestApp;
let h: Handlers;
let runDir: string;
const runId = 'sal-run';
let spawned = 0;
const spawn: ChildSpawner = (entry, hooks, opts) => {
  spawned++;
  return forkSpawner(entry, hooks, opts);
};

beforeAll(async () => {
  app = await makeTestApp();
  runDir = path.join(app.ctx.layout.runs, runId);
  await trainTinyRun(app.ctx.dataset!.dbFile, runDir, { epochs: 1 });
  await predictRun({ runDir, split: 'val', dbFile: app.ctx.dataset!.dbFile });
  h = { ...app.handlers, ...saliencyHandlers(app.ctx, childSaliencyLauncher(spawn)) } as Handlers;
}, 120_000);
afterAll(async () => app?.cleanup());

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.data;
}

async function alphaPixels(url: string): Promise<number> {
  const rel = decodeURIComponent(url.replace(/^\/media\/cache\//, ''));
  const { data, info } = await sharp(path.join(app.ctx.layout.cache, rel))
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
  return n;
}

describe('saliency.get', () => {
  it('computes in the child with progress, then serves overlays from the cache', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const w = set.wells[0]!;
    const predicted = set.labels[w.top]!;
    const updates: Job[] = [];
    const off = app.ctx.events.subscribe((m) => {
      if (m.event === 'job:update' && m.payload.kind === 'saliency') updates.push(m.payload);
    });
    const first = ok(await invoke(h, 'saliency.get', { runId, idCode: w.idCode, site: 1 }));
    expect(first.status).toBe('computing');
    if (first.status !== 'computing') return;
    expect(first.classLabel).toBe(predicted);
    // Asking again while it runs joins the same job.
    const joined = ok(await invoke(h, 'saliency.get', { runId, idCode: w.idCode, site: 1 }));
    expect(joined).toEqual(first);
    const job = await app.ctx.jobs.wait(first.jobId);
    off();
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    expect(spawned).toBe(1);
    expect(updates.some((u) => /gradient step \d+\/16/.test(u.message))).toBe(true);

    const ready = ok(
      await invoke(h, 'saliency.get', { runId, idCode: w.idCode, site: 1, channels: [1, 2] }),
    ) as Extract<CallOutput<'saliency.get'>, { status: 'ready' }>;
    expect(ready.status).toBe('ready');
    expect(spawned).toBe(1);
    expect(ready.classLabel).toBe(predicted);
    expect(ready.predictedLabel).toBe(predicted);
    expect(ready.predictedByAssignment).toBe(false);
    expect(ready.steps).toBe(16);
    expect(ready.channels.map((c) => c.stain)).toEqual([
      'Hoechst',
      'ConA',
      'Phalloidin',
      'Syto14',
      'MitoTracker',
      'WGA',
    ]);
    expect(ready.channels.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 5);
    expect(ready.summed.channels).toEqual([1, 2]);
    expect(ready.checkpointDiffers).toBe(false);
    expect(ready.completenessGap).toBeLessThan(0.1);
    // The overlays cover the resized site (20 px), coloured only inside the 16-px centre crop.
    const lit = await alphaPixels(ready.summed.url);
    expect(lit).toBeGreaterThan(0);
    expect(lit).toBeLessThanOrEqual(16 * 16);
    const meta = await sharp(
      path.join(
        app.ctx.layout.cache,
        decodeURIComponent(ready.channels[0]!.url.replace(/^\/media\/cache\//, '')),
      ),
    ).metadata();
    expect([meta.width, meta.height]).toEqual([20, 20]);
  });

  it('computes another class anew; refuses a class the run lacks', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const w = set.wells[0]!;
    const other = set.labels.find((l) => l !== set.labels[w.top])!;
    const r = ok(
      await invoke(h, 'saliency.get', {
        runId,
        idCode: w.idCode,
        site: 1,
        sirna: other,
        method: 'gradient-x-input',
      }),
    );
    expect(r.status).toBe('computing');
    if (r.status === 'computing') expect((await app.ctx.jobs.wait(r.jobId)).status).toBe('done');
    const bad = await invoke(h, 'saliency.get', { runId, idCode: w.idCode, site: 1, sirna: 'x' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/no class 'x'/);
  });

  it('says when the well was predicted with other weights than the ones explained', async () => {
    const w = loadPredictionSet(runDir, 'val')!.wells[0]!;
    const db = app.ctx.dataset!.db;
    const sets = `UPDATE learn_prediction_sets SET checkpoint_sha256 = ? WHERE run_id = ?`;
    const recorded = (
      db
        .prepare(`SELECT checkpoint_sha256 AS sha FROM learn_prediction_sets WHERE run_id = ?`)
        .get(runId) as { sha: string }
    ).sha;
    try {
      db.prepare(sets).run('0'.repeat(64), runId);
      const r = ok(await invoke(h, 'saliency.get', { runId, idCode: w.idCode, site: 1 }));
      expect(r.status).toBe('ready');
      if (r.status === 'ready') expect(r.checkpointDiffers).toBe(true);
    } finally {
      db.prepare(sets).run(recorded, runId);
    }
  });

  it('cancels in the child between steps: the job ends cancelled and nothing is cached', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const w = set.wells[1]!;
    const explain = path.join(runDir, 'explain');
    const before = fs.existsSync(explain) ? fs.readdirSync(explain).length : 0;
    let cancelled = false;
    const off = app.ctx.events.subscribe((m) => {
      if (m.event !== 'job:update' || m.payload.kind !== 'saliency' || cancelled) return;
      if (/gradient step/.test(m.payload.message)) {
        cancelled = true;
        app.ctx.jobs.cancel(m.payload.id);
      }
    });
    const r = ok(await invoke(h, 'saliency.get', { runId, idCode: w.idCode, site: 2, steps: 128 }));
    expect(r.status).toBe('computing');
    if (r.status !== 'computing') return;
    const job = await app.ctx.jobs.wait(r.jobId);
    off();
    expect(cancelled).toBe(true);
    expect(job.status).toBe('cancelled');
    expect(fs.existsSync(explain) ? fs.readdirSync(explain).length : 0).toBe(before);
  });

  it('says so when the well has no prediction or the weights cannot be verified', async () => {
    const set = loadPredictionSet(runDir, 'val')!;
    const inVal = new Set(set.wells.map((w) => w.idCode));
    const unpredicted = (
      app.ctx.dataset!.db.prepare(`SELECT id_code AS idCode FROM wells`).all() as {
        idCode: string;
      }[]
    ).find((w) => !inVal.has(w.idCode))!;
    const none = await invoke(h, 'saliency.get', { runId, idCode: unpredicted.idCode, site: 1 });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error.message).toMatch(/no prediction for well/);

    const weights = path.join(runDir, 'best', 'weights.bin');
    const saved = fs.readFileSync(weights);
    try {
      fs.appendFileSync(weights, Buffer.from([1]));
      const r = await invoke(h, 'saliency.get', { runId, idCode: set.wells[0]!.idCode, site: 1 });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_INPUT');
        expect(r.error.message).toMatch(/weights\.bin.*manifest/);
      }
    } finally {
      fs.writeFileSync(weights, saved);
    }
  });
});
