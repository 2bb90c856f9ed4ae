// predict.start runs prediction in a child process: progress arrives as job updates, the catalog
// gets the set in one go, a cancel stops the child and leaves the previous set untouched, a damaged
// model fails the job with a readable reason, and a killed child fails only its job.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Result } from '../../../src-shared/contract';
import { forkSpawner, type ChildSpawner } from '../jobs/child-task';
import { childPredictLauncher } from '../learn/predict/predict-in-child';
import { trainTinyRun } from '../../../test-support/learn/tiny-config';
import { makeTestApp, type TestApp } from '../../../test-support/app/test-app';
import { invoke } from './dispatch';
import type { Handlers } from './handler-types';
import { predictHandlers } from './predict-handlers';

let app: TestApp;
let h: Handlers;
let runDir: string;
const runId = 'pred-child';
const pids: number[] = [];

// The real fork spawner, remembering each child's pid (the crash test kills one).
const spawn: ChildSpawner = (entry, hooks, opts) => {
  const child = forkSpawner(entry, hooks, opts);
  if (child.pid !== undefined) pids.push(child.pid);
  return child;
};

beforeAll(async () => {
  app = await makeTestApp();
  runDir = path.join(app.ctx.layout.runs, runId);
  await trainTinyRun(app.ctx.dataset!.dbFile, runDir, { epochs: 1 });
  h = { ...app.handlers, ...predictHandlers(app.ctx, childPredictLauncher(spawn)) } as Handlers;
});
afterAll(async () => app?.cleanup());

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.data;
}

function storedSet(): { id: number; created_at: string; wells: number } | undefined {
  return app.ctx
    .dataset!.db.prepare(
      `SELECT id, created_at, wells FROM learn_prediction_sets WHERE run_id = ? AND split = 'val'`,
    )
    .get(runId) as { id: number; created_at: string; wells: number } | undefined;
}

/** Starts a prediction, calling `onUpdate` with each of its job updates; resolves with the end. */
async function predict(
  input: { tta: boolean },
  onUpdate: (j: Job) => void = () => {},
): Promise<{ job: Job; updates: Job[] }> {
  // One prediction runs at a time, so every 'predict' update is this one's.
  const updates: Job[] = [];
  const off = app.ctx.events.subscribe((m) => {
    if (m.event !== 'job:update' || m.payload.kind !== 'predict') return;
    updates.push(m.payload);
    onUpdate(m.payload);
  });
  const { jobId } = ok(
    await invoke(h, 'predict.start', { runId, split: 'val', tta: input.tta, assign: false }),
  );
  const job = await app.ctx.jobs.wait(jobId);
  off();
  return { job, updates };
}

describe('predict.start in a child process', () => {
  it('predicts with progress updates and stores the set in the catalog', async () => {
    const children = pids.length;
    const { job, updates } = await predict({ tta: false });
    // It ran in a child we spawned, not in this process.
    expect(pids.length).toBe(children + 1);
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    const result = job.result as { wells: number; accuracy: number | null };
    expect(result.wells).toBeGreaterThan(0);
    expect(storedSet()?.wells).toBe(result.wells);
    expect(updates.some((u) => u.status === 'running' && u.message === 'loading the model')).toBe(
      true,
    );
    expect(updates.some((u) => u.status === 'running' && u.progress > 0)).toBe(true);
    expect(pids.at(-1)).not.toBe(process.pid);
  });

  it('cancels: the child stops and the stored predictions stay as they were', async () => {
    const before = storedSet()!;
    const jsonFile = path.join(runDir, 'predictions', 'val.json');
    const jsonBefore = fs.readFileSync(jsonFile, 'utf8');
    const { job } = await predict({ tta: true }, (u) => {
      if (u.status === 'running' && u.message === 'loading the model') app.ctx.jobs.cancel(u.id);
    });
    expect(job.status).toBe('cancelled');
    expect(storedSet()).toEqual(before);
    expect(fs.readFileSync(jsonFile, 'utf8')).toBe(jsonBefore);
    const pid = pids.at(-1)!;
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it('fails with the reason when the child is killed, and the server carries on', async () => {
    const { job } = await predict({ tta: true }, (u) => {
      if (u.status === 'running' && u.message === 'loading the model')
        process.kill(pids.at(-1)!, 'SIGKILL');
    });
    expect(job.status).toBe('failed');
    expect(job.error?.message).toMatch(/^prediction process ended unexpectedly \(signal SIGKILL\)/);
    const summary = ok(await invoke(h, 'predictions.summary', { runId, split: 'val' }));
    expect(summary?.wells).toBe(storedSet()?.wells);
  });

  it('fails naming the file when the prediction entry is missing, never predicting in-process', async () => {
    const before = storedSet();
    const missing = path.join(app.ctx.layout.runs, 'no-such-predict-child.js');
    const launch = childPredictLauncher(spawn, { file: missing });
    const progress: number[] = [];
    await expect(
      launch(
        { runDir, split: 'val', dbFile: app.ctx.dataset!.dbFile },
        { onProgress: (d) => progress.push(d) },
      ),
    ).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(missing) });
    expect(progress).toEqual([]);
    expect(storedSet()).toEqual(before);
  });

  it('fails with a readable reason on a damaged model file', async () => {
    const weights = path.join(runDir, 'best', 'weights.json');
    expect(fs.existsSync(weights)).toBe(true);
    fs.writeFileSync(weights, '{"not": "an index"');
    const { job } = await predict({ tta: false });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('INVALID_INPUT');
    // Checked against the run's manifest before it is read: the message names the file.
    expect(job.error?.message).toContain(`${weights}: does not match the run's manifest.json`);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
