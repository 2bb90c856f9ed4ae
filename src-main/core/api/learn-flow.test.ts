// The learning calls end to end through the real handler table: training.validate, training.start
// (a real child process on the tiny dataset, live training:metrics events), runs.list/metrics,
// predict.start, predictions.summary/queue, the plate map with predictions, and the three exports.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src-shared/contract';
import { tinyTrainConfig } from '../../../test-support/learn/tiny-config';
import { makeTestApp, ok, type TestApp } from '../../../test-support/app/test-app';
import { invoke } from './dispatch';

let app: TestApp;

beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(async () => app?.cleanup());

describe('training → prediction → export through the API', () => {
  it('trains a tiny run, predicts, reviews and exports', async () => {
    const h = app.handlers;
    const config = tinyTrainConfig({ epochs: 1 });
    const check = ok(await invoke(h, 'training.validate', { config }));
    expect(check.classes).toBeGreaterThan(1);
    expect(check.trainWells).toBeGreaterThan(check.valWells);

    const metrics: Array<EventPayload<'training:metrics'>> = [];
    const off = app.ctx.events.subscribe((m) => {
      if (m.event === 'training:metrics') metrics.push(m.payload);
    });
    const { runId, jobId } = ok(await invoke(h, 'training.start', { config }));
    // One training run at a time.
    const second = await invoke(h, 'training.start', { config });
    expect(!second.ok && second.error.code).toBe('CONFLICT');
    const job = await app.ctx.jobs.wait(jobId);
    off();
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    expect(metrics.some((m) => m.runId === runId && m.step)).toBe(true);
    expect(metrics.some((m) => m.runId === runId && m.epoch)).toBe(true);

    const runs = ok(await invoke(h, 'runs.list', {}));
    expect(runs.map((r) => r.runId)).toContain(runId);
    expect(runs.find((r) => r.runId === runId)?.status).toBe('done');
    const curves = ok(await invoke(h, 'runs.metrics', { runId }));
    expect(curves.steps.length).toBeGreaterThan(0);
    expect(curves.epochs).toHaveLength(1);

    const pj = ok(
      await invoke(h, 'predict.start', { runId, split: 'val', tta: false, assign: false }),
    );
    const predicted = await app.ctx.jobs.wait(pj.jobId);
    expect(predicted.status, JSON.stringify(predicted.error)).toBe('done');

    const summary = ok(await invoke(h, 'predictions.summary', { runId, split: 'val' }));
    expect(summary?.wells).toBeGreaterThan(0);
    const queue = ok(
      await invoke(h, 'predictions.queue', {
        runId,
        split: 'val',
        queue: 'least-confident',
        limit: 3,
      }),
    );
    expect(queue.length).toBeGreaterThan(0);
    const q = queue[0]!;
    const plate = ok(
      await invoke(h, 'plates.wells', { experiment: q.experiment, plate: q.plate, runId }),
    );
    expect(plate.wells.find((w) => w.idCode === q.idCode)?.prediction?.prob).toBeCloseTo(
      q.prob!,
      5,
    );
    const detail = ok(await invoke(h, 'wells.detail', { idCode: q.idCode, runId }));
    expect(detail.topPredictions.length).toBeGreaterThan(0);

    const csv = ok(await invoke(h, 'export.predictions', { runId, split: 'val' }));
    expect(csv.url).toMatch(/^\/media\/exports\//);
    expect(fs.readFileSync(csv.path, 'utf8').trim().split('\n')).toHaveLength(csv.rows + 1);
    const png = ok(
      await invoke(h, 'export.platePng', {
        experiment: q.experiment,
        plate: q.plate,
        metric: 'confidence',
        runId,
      }),
    );
    expect(fs.readFileSync(png.path).subarray(1, 4).toString()).toBe('PNG');
    expect(png.rows).toBeGreaterThan(0);
    // Export never predicts: the open dataset's test split is predicted first.
    const tj = ok(
      await invoke(h, 'predict.start', { runId, split: 'test', tta: false, assign: true }),
    );
    expect((await app.ctx.jobs.wait(tj.jobId)).status).toBe('done');
    const sub = ok(await invoke(h, 'export.submission', { runId }));
    expect(sub.source?.runId).toBe(runId);
    expect(sub.source?.dataset?.id).toBe(
      app.ctx.dataset?.db.prepare("SELECT value FROM meta WHERE key = 'dataset_id'").pluck().get(),
    );
    const lines = fs.readFileSync(sub.path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id_code,sirna');
    expect(lines).toHaveLength(sub.rows + 1);
    const noRun = await invoke(h, 'export.platePng', {
      experiment: q.experiment,
      plate: q.plate,
      metric: 'correct',
    });
    expect(!noRun.ok && noRun.error.code).toBe('INVALID_INPUT');
  });
});
