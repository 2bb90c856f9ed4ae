// Test support for the off-thread task tests (not a test): one task with modes that succeed, wait
// for a cancel, ignore a cancel, fail with an input error, or crash their process / thread.
import { isMainThread, threadId } from 'node:worker_threads';
import { inputError, throwIfCancelled } from '../../src-main/core/errors';
import type { TaskControl } from '../../src-main/core/jobs/child-task-protocol';

export interface FixtureInput {
  mode: 'ok' | 'wait-cancel' | 'ignore-cancel' | 'fail' | 'crash';
  steps?: number;
}

export interface FixtureResult {
  sum: number;
  threadId: number;
  pid: number;
  isMainThread: boolean;
}

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function fixtureTask(input: FixtureInput, ctl: TaskControl): Promise<FixtureResult> {
  const steps = input.steps ?? 5;
  if (input.mode === 'fail') throw inputError('bad.csv: line 3 has 2 fields, expected 5');
  if (input.mode === 'crash') {
    process.stderr.write('fixture: about to crash\n');
    if (isMainThread) process.exit(3);
    // In a thread: an uncaught error ends the thread.
    setTimeout(() => {
      throw new Error('fixture thread crashed');
    }, 0);
    await tick(60_000);
  }
  let sum = 0;
  for (let i = 1; i <= steps; i++) {
    if (input.mode !== 'ignore-cancel') throwIfCancelled(ctl.signal);
    sum += i;
    ctl.onProgress(i, steps, `step ${i}`);
    ctl.emit({ step: i });
    // The waiting modes stay in the loop until cancelled (or killed).
    if (input.mode !== 'ok' && i === steps) i = 0;
    await tick(input.mode === 'ok' ? 60 : 10);
  }
  return { sum, threadId, pid: process.pid, isMainThread };
}
