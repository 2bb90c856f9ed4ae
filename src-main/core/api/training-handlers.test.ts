// Training calls with a stand-in launcher (no child process): progress and live metrics relayed from
// the handle, cancel through jobs.cancel/training.cancel reaching the child, failures keeping their
// error code, and runs left "running" by a dead process listed as interrupted.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src-shared/contract';
import { createHandlers } from './handlers';
import { invoke } from './dispatch';
import type { Handlers } from './handler-types';
import type { TrainingHandle, TrainingEvents } from '../learn/train/start-training';
import type { TrainJob, TrainSummary } from '../learn/train/messages';
import { tinyTrainConfig } from '../../../test-support/learn/tiny-config';
import { makeTestApp, type TestApp } from '../../../test-support/app/test-app';

let app: TestApp;
let handlers: Handlers;
const launched: Array<{
  job: TrainJob;
  cancelled: boolean;
  finish(s: Partial<TrainSummary>): void;
  events: EventEmitter<TrainingEvents>;
}> = [];

function fakeLaunch(job: TrainJob): TrainingHandle {
  const events = new EventEmitter<TrainingEvents>();
  let finish!: (s: TrainSummary) => void;
  const done = new Promise<TrainSummary>((r) => (finish = r));
  const base: TrainSummary = {
    runId: path.basename(job.runDir),
    status: 'done',
    backend: 'cpu',
    epochsDone: 0,
    bestValAccuracy: null,
    imagesPerSecond: null,
    warnings: [],
    error: null,
    errorCode: null,
  };
  const entry = {
    job,
    cancelled: false,
    events,
    finish: (s: Partial<TrainSummary>) => finish({ ...base, ...s }),
  };
  launched.push(entry);
  return {
    events,
    pid: 1,
    done,
    cancel: () => {
      entry.cancelled = true;
      setTimeout(() => entry.finish({ status: 'cancelled' }), 5);
    },
  };
}

beforeAll(async () => {
  app = await makeTestApp();
  handlers = createHandlers(app.ctx, {
    backend: async () => ({ name: 'cpu', detail: 'stub', tried: [] }),
    launchTraining: fakeLaunch,
  });
});
afterAll(async () => app?.cleanup());

describe('training handlers', () => {
  it('relays started/step/epoch as job progress and training:metrics, then finishes the job', async () => {
    const seen: Array<EventPayload<'training:metrics'>> = [];
    const off = app.ctx.events.subscribe(
      (m) => m.event === 'training:metrics' && seen.push(m.payload),
    );
    const r = await invoke(handlers, 'training.start', { config: tinyTrainConfig({ epochs: 2 }) });
    if (!r.ok) throw new Error(r.error.message);
    const run = launched.at(-1)!;
    // Before the child writes the run folder, its metrics are empty rather than NOT_FOUND.
    const early = await invoke(handlers, 'runs.metrics', { runId: r.data.runId });
    expect(early).toEqual({ ok: true, data: { steps: [], epochs: [] } });
    expect(run.job.runDir).toBe(path.join(app.ctx.layout.runs, r.data.runId));
    expect(run.job.dbFile).toBe(app.ctx.dataset!.dbFile);
    run.events.emit('started', {
      runId: r.data.runId,
      backend: 'cpu',
      trainWells: 10,
      valWells: 2,
      trainSites: 20,
      classes: 3,
      stepsPerEpoch: 2,
      epochs: 2,
      startEpoch: 0,
      resumedFromStep: null,
      warnings: [],
      reviewExcluded: 0,
      classCoverage: {
        setting: 'auto',
        threshold: 8,
        mostExperiments: 16,
        leftOutClasses: 1076,
        leftOutWells: 4304,
      },
    });
    // The job's first line says what class coverage left out.
    await new Promise((res) => setTimeout(res, 20));
    expect(app.ctx.jobs.get(r.data.jobId)?.message).toMatch(
      /3 classes; left out 1,076 classes seen in fewer than 8 training experiments \(4,304 wells\)/,
    );
    const step = { step: 2, epoch: 0, loss: 1, accuracy: 0.5, lr: 0.1, imagesPerSecond: 10 };
    run.events.emit('step', step);
    run.events.emit('epoch', {
      epoch: 0,
      loss: 1,
      accuracy: 0.5,
      valLoss: 1,
      valAccuracy: 0.5,
      lr: 0.1,
      imagesPerSecond: 10,
      seconds: 1,
      etaSeconds: 1,
    });
    await new Promise((res) => setTimeout(res, 40));
    expect(app.ctx.jobs.get(r.data.jobId)?.progress).toBeCloseTo(0.5, 5);
    run.finish({ status: 'done', epochsDone: 2 });
    const job = await app.ctx.jobs.wait(r.data.jobId);
    off();
    expect(job.status).toBe('done');
    expect(seen).toEqual([
      { runId: r.data.runId, step },
      expect.objectContaining({
        runId: r.data.runId,
        epoch: expect.objectContaining({ epoch: 0 }),
      }),
    ]);
  });

  it('training.validate reports what class coverage leaves out, as the run set-up would', async () => {
    const check = async (minClassExperiments: 'auto' | number) => {
      const r = await invoke(handlers, 'training.validate', {
        config: tinyTrainConfig({ minClassExperiments }),
      });
      if (!r.ok) throw new Error(r.error.message);
      return r.data;
    };
    const auto = await check('auto');
    expect(auto.classCoverage).toMatchObject({ setting: 'auto', leftOutClasses: 0 });
    expect(auto.classes).toBeGreaterThan(1);
    // A minimum above the dataset's experiment count leaves every class and usable well out.
    const all = await check(99);
    expect(all.classCoverage).toMatchObject({
      setting: 99,
      threshold: 99,
      leftOutClasses: auto.classes,
      leftOutWells: auto.trainWells + auto.valWells,
    });
    expect(all.classes).toBe(0);
    expect(all.warnings.join('\n')).toMatch(
      /only 0 class\(es\).*class coverage left out \d+ classes seen in fewer than 99 training experiments/,
    );
  });

  it('training.cancel reaches the child and the job ends cancelled; a second cancel is NOT_FOUND', async () => {
    const r = await invoke(handlers, 'training.start', { config: tinyTrainConfig() });
    if (!r.ok) throw new Error(r.error.message);
    const c = await invoke(handlers, 'training.cancel', { runId: r.data.runId });
    expect(c.ok).toBe(true);
    expect((await app.ctx.jobs.wait(r.data.jobId)).status).toBe('cancelled');
    expect(launched.at(-1)!.cancelled).toBe(true);
    const again = await invoke(handlers, 'training.cancel', { runId: r.data.runId });
    expect(!again.ok && again.error.code).toBe('NOT_FOUND');
  });

  it('a failed run fails its job with the child error code', async () => {
    const r = await invoke(handlers, 'training.start', { config: tinyTrainConfig() });
    if (!r.ok) throw new Error(r.error.message);
    launched
      .at(-1)!
      .finish({ status: 'failed', error: 'only 1 class', errorCode: 'INVALID_INPUT' });
    const job = await app.ctx.jobs.wait(r.data.jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'INVALID_INPUT', message: 'only 1 class' });
  });

  it('lists a run left "running" by a process that is gone as interrupted', async () => {
    const dir = path.join(app.ctx.layout.runs, 'run-old');
    fs.mkdirSync(dir, { recursive: true });
    const now = new Date().toISOString();
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(tinyTrainConfig()));
    fs.writeFileSync(
      path.join(dir, 'run.json'),
      JSON.stringify({
        runId: 'run-old',
        createdAt: now,
        updatedAt: now,
        status: 'running',
        backend: 'cpu',
        dbFile: 'x',
        pid: 999999,
        epochsDone: 1,
        bestValAccuracy: null,
        imagesPerSecond: null,
        warnings: [],
        error: null,
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'metrics.jsonl'),
      '{"type":"step","step":1,"epoch":0,"loss":2,"accuracy":0,"lr":0.1,"imagesPerSecond":5}\n{"type":"ste',
    );
    // Its recorded catalog ('x') is not the open dataset's: listed only with allDatasets.
    const runs = await invoke(handlers, 'runs.list', { allDatasets: true });
    if (!runs.ok) throw new Error(runs.error.message);
    expect(runs.data.find((r) => r.runId === 'run-old')?.status).toBe('interrupted');
    expect(runs.data.find((r) => r.runId === 'run-old')?.datasetMatch).toBe('unknown');
    const m = await invoke(handlers, 'runs.metrics', { runId: 'run-old' });
    expect(m.ok && m.data.steps).toHaveLength(1);
  });
});
