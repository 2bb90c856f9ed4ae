// Indexing jobs run on a worker thread: a dataset opened through the job is indexed while the main
// thread's timers keep ticking, the main thread never calls the indexer itself, progress arrives as
// job updates, and a cancel leaves the open dataset as it was.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Job } from '../../../src-shared/contract';
import { makeTestApp, type TestApp } from '../../../test-support/app/test-app';
import * as indexer from '../catalog/indexer';
import { startOpenDataset } from './dataset-jobs';

// Spy on the main thread's copy of the indexer: the worker thread loads its own.
vi.mock(import('../catalog/indexer'), async (original) => {
  const real = await original();
  return { ...real, indexDataset: vi.fn(real.indexDataset) };
});

let app: TestApp;
let copies = 0;
beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(async () => app?.cleanup());

/** A fresh copy of the demo folder: a new root, so a new catalog indexed from scratch. */
function demoCopy(): string {
  const dir = path.join(app.dir, `copy-${++copies}`);
  fs.cpSync(app.ctx.layout.demo, dir, { recursive: true });
  return dir;
}

/** Updates of index jobs (one runs at a time). */
function watch(): { updates: Job[]; stop(): void } {
  const updates: Job[] = [];
  const stop = app.ctx.events.subscribe((m) => {
    if (m.event === 'job:update' && m.payload.kind === 'index') updates.push(m.payload);
  });
  return { updates, stop };
}

describe('index jobs on a worker thread', () => {
  it('indexes with progress while the main thread keeps running its timers', async () => {
    const demoCounts = app.ctx.dataset!;
    const root = demoCopy();
    const w = watch();
    let ticks = 0;
    const ticksAtUpdate: number[] = [];
    const timer = setInterval(() => ticks++, 1);
    const stopTicks = app.ctx.events.subscribe((m) => {
      if (m.event === 'job:update' && m.payload.kind === 'index') ticksAtUpdate.push(ticks);
    });
    const id = startOpenDataset(app.ctx, root).id;
    const job = await app.ctx.jobs.wait(id);
    clearInterval(timer);
    stopTicks();
    w.stop();
    expect(job.status, JSON.stringify(job.error)).toBe('done');
    expect(app.ctx.dataset?.root).toBe(root);
    expect(app.ctx.dataset?.dbFile).not.toBe(demoCounts.dbFile);
    const counts = (job.result as { counts: { wells: number; images: number } }).counts;
    expect(counts.wells).toBeGreaterThan(0);
    expect(counts.images).toBe(counts.wells * 2 * 6);
    // The work happened elsewhere: the main thread's indexer was never called.
    expect(vi.mocked(indexer.indexDataset)).not.toHaveBeenCalled();
    // Progress came through as job updates, and timers fired between them.
    expect(w.updates.some((u) => u.progress > 0 && u.progress < 1)).toBe(true);
    expect(ticksAtUpdate.at(-1)! - ticksAtUpdate[0]!).toBeGreaterThan(0);
  });

  it('cancels an index: the job ends cancelled and the open dataset stays', async () => {
    const before = app.ctx.dataset!.root;
    const root = demoCopy();
    const w = watch();
    const job = startOpenDataset(app.ctx, root);
    expect(app.ctx.jobs.cancel(job.id)).toBe(true);
    const done = await app.ctx.jobs.wait(job.id);
    w.stop();
    expect(done.status).toBe('cancelled');
    expect(w.updates.at(-1)?.status).toBe('cancelled');
    expect(app.ctx.dataset?.root).toBe(before);
    // A later index of the same folder is not hurt by the cancelled one.
    const again = await app.ctx.jobs.wait(startOpenDataset(app.ctx, root).id);
    expect(again.status, JSON.stringify(again.error)).toBe('done');
    expect(app.ctx.dataset?.root).toBe(root);
  });
});
