// Tasks on a worker thread: the task runs in another thread (TypeScript booted through tsx), its
// progress, events and result come back, cancel stops it, a failing or crashing thread rejects, and
// a missing entry is an error naming the file.
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runWorkerTask } from './worker-task';
import type { FixtureInput, FixtureResult } from '../../../test-support/jobs/child-task-fixture';

const fixtures = path.join(import.meta.dirname, '../../../test-support/jobs');
const entry = { file: path.join(fixtures, 'child-task-fixture-entry.ts') };

function run(input: FixtureInput, extra: { signal?: AbortSignal; killAfterMs?: number } = {}) {
  const progress: number[] = [];
  const events: unknown[] = [];
  let started = -1;
  const result = runWorkerTask<FixtureInput, FixtureResult>({
    entry,
    input,
    label: 'fixture worker',
    onProgress: (done) => progress.push(done),
    onEvent: (e) => events.push(e),
    onStart: (id) => (started = id),
    ...extra,
  });
  return { result, progress, events, started: () => started };
}

describe('runWorkerTask', () => {
  it('runs the task on another thread and returns its result', async () => {
    const { result, progress, events, started } = run({ mode: 'ok', steps: 4 });
    const r = await result;
    expect(r.sum).toBe(10);
    expect(r.isMainThread).toBe(false);
    expect(r.threadId).not.toBe(threadId);
    expect(r.threadId).toBe(started());
    expect(progress.at(-1)).toBe(4);
    expect(events).toEqual([1, 2, 3, 4].map((step) => ({ step })));
  });

  it('rejects naming the file when the entry is missing', async () => {
    const missing = path.join(import.meta.dirname, 'no-such-entry.js');
    const r = runWorkerTask({ entry: { file: missing }, input: {}, label: 'x' });
    await expect(r).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(`${missing}: entry is missing`),
    });
  });

  it('cancels through the signal', async () => {
    const ac = new AbortController();
    const { result, progress } = run({ mode: 'wait-cancel' }, { signal: ac.signal });
    while (progress.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('terminates a thread that ignores the cancel', async () => {
    const ac = new AbortController();
    const { result, progress } = run(
      { mode: 'ignore-cancel' },
      { signal: ac.signal, killAfterMs: 200 },
    );
    while (progress.length === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('passes a task error through and reports a crashed thread', async () => {
    await expect(run({ mode: 'fail' }).result).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(run({ mode: 'crash' }).result).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/^fixture worker ended unexpectedly .*fixture thread crashed/),
    });
  });
});
