// Tests the job model: snapshots, throttled progress, finalisation on success/failure/cancel.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src-shared/contract';
import { Job as JobSchema } from '../../../src-shared/contract';
import { PlateLabError, throwIfCancelled } from '../errors';
import { JobManager, stepProgress } from './job-manager';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder(throttleMs = 100) {
  const updates: Job[] = [];
  const jobs = new JobManager({ throttleMs, onUpdate: (j) => updates.push(j) });
  return { jobs, updates };
}

describe('JobManager', () => {
  it('runs work to done with its result, and every snapshot matches the contract', async () => {
    const { jobs, updates } = recorder();
    const started = jobs.start('index', 'Index x', async (ctx) => {
      ctx.progress(0.5, 'half');
      return { wells: 7 };
    });
    expect(started.status).toBe('running');
    const final = await jobs.wait(started.id);
    expect(final.status).toBe('done');
    expect(final.progress).toBe(1);
    expect(final.result).toEqual({ wells: 7 });
    expect(final.finishedAt).toBeDefined();
    for (const u of updates) expect(JobSchema.safeParse(u).success).toBe(true);
    expect(updates.at(-1)?.status).toBe('done');
    expect(jobs.list().map((j) => j.id)).toEqual([started.id]);
  });

  it('throttles a burst of progress to a few updates but always sends the final state', async () => {
    const { jobs, updates } = recorder(100);
    const j = jobs.start('synth', 'burst', async (ctx) => {
      for (let i = 1; i <= 1000; i++) {
        ctx.progress(i / 1000, `step ${i}`);
        if (i % 100 === 0) await sleep(5);
      }
      await sleep(20);
      return null;
    });
    await jobs.wait(j.id);
    // ~60 ms of work at 100 ms throttle: start, at most a couple of progress updates, final.
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.length).toBeLessThan(10);
    expect(updates.at(-1)).toMatchObject({ status: 'done', progress: 1 });
  });

  it('sends the trailing progress after the throttle window', async () => {
    const { jobs, updates } = recorder(50);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const j = jobs.start('thumbnails', 'trail', async (ctx) => {
      ctx.progress(0.3, 'a');
      ctx.progress(0.6, 'b');
      await gate;
    });
    await sleep(120);
    expect(updates.at(-1)).toMatchObject({ status: 'running', progress: 0.6, message: 'b' });
    release();
    await jobs.wait(j.id);
  });

  it('records a failure as data with the error code', async () => {
    const { jobs } = recorder();
    const j = jobs.start('export', 'fail', async () => {
      throw new PlateLabError('NOT_FOUND', 'no run r1');
    });
    const final = await jobs.wait(j.id);
    expect(final.status).toBe('failed');
    expect(final.error).toEqual({ code: 'NOT_FOUND', message: 'no run r1' });
  });

  it('cancels through the AbortSignal and finalises as cancelled', async () => {
    const { jobs, updates } = recorder();
    const j = jobs.start('train', 'long', async (ctx) => {
      for (;;) {
        throwIfCancelled(ctx.signal);
        await sleep(5);
      }
    });
    await sleep(20);
    expect(jobs.cancel(j.id)).toBe(true);
    const final = await jobs.wait(j.id);
    expect(final.status).toBe('cancelled');
    expect(updates.at(-1)?.status).toBe('cancelled');
    expect(jobs.cancel(j.id)).toBe(false);
    expect(jobs.cancel('nope')).toBe(false);
  });

  it('never lets progress go backwards and maps sub-steps into their part of the bar', async () => {
    const { jobs } = recorder(0);
    let seen: number[] = [];
    const j = jobs.start('synth', 'steps', async (ctx) => {
      const first = stepProgress(ctx, 0, 0.5);
      const second = stepProgress(ctx, 0.5, 1);
      first(5, 10);
      seen.push(jobs.get(j.id)!.progress);
      ctx.progress(0.1);
      seen.push(jobs.get(j.id)!.progress);
      second(1, 2, 'indexing');
      seen.push(jobs.get(j.id)!.progress);
    });
    await jobs.wait(j.id);
    expect(seen).toEqual([0.25, 0.25, 0.75]);
    seen = [];
  });

  it('a job cancelled before it starts never runs its work', async () => {
    const { jobs } = recorder();
    let ran = false;
    const j = jobs.start('index', 'x', async () => {
      ran = true;
    });
    jobs.cancel(j.id);
    expect((await jobs.wait(j.id)).status).toBe('cancelled');
    expect(ran).toBe(false);
  });

  it('shutdown cancels running jobs and waits for them', async () => {
    const { jobs } = recorder();
    const a = jobs.start('index', 'a', async (ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    });
    const b = jobs.start('index', 'b', async () => 'never started');
    await sleep(5);
    await jobs.shutdown();
    expect(jobs.get(b.id)?.status).toBe('done');
    expect(jobs.get(a.id)?.status).toBe('cancelled');
    expect(jobs.running()).toEqual([]);
  });

  it('keeps only the most recent finished jobs', async () => {
    const jobs = new JobManager({ keepFinished: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const j = jobs.start('export', `e${i}`, async () => i);
      ids.push(j.id);
      await jobs.wait(j.id);
    }
    expect(jobs.list().map((j) => j.id)).toEqual(ids.slice(2));
  });
});
