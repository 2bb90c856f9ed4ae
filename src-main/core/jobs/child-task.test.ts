// Tasks in a child process: progress, events and result come back, a cancel stops the child, a
// child that ignores the cancel is killed, failures and crashes reject with a readable reason, and a
// missing entry is an error naming the file.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { runChildTask, startChildTask, type ChildSpawner } from './child-task';
import { tsxExecArgv } from './entries';
import type { FixtureInput, FixtureResult } from '../../../test-support/jobs/child-task-fixture';

const fixtures = path.join(import.meta.dirname, '../../../test-support/jobs');
const entryPath = path.join(fixtures, 'child-task-fixture-entry.ts');
const entry = { file: entryPath };

function start(input: FixtureInput, killAfterMs?: number) {
  const progress: Array<{ done: number; total: number; message?: string }> = [];
  const events: unknown[] = [];
  const handle = startChildTask<FixtureInput, FixtureResult>({
    entry,
    input,
    label: 'fixture process',
    killAfterMs,
    onProgress: (done, total, message) => progress.push({ done, total, message }),
    onEvent: (e) => events.push(e),
  });
  return { handle, progress, events };
}

const firstProgress = (progress: unknown[]) =>
  new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (progress.length > 0) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });

describe('startChildTask', () => {
  it('runs the task in another process, with progress and the result', async () => {
    const { handle, progress, events } = start({ mode: 'ok', steps: 5 });
    const r = await handle.result;
    expect(events).toEqual([1, 2, 3, 4, 5].map((step) => ({ step })));
    expect(r.sum).toBe(15);
    expect(r.pid).not.toBe(process.pid);
    expect(r.pid).toBe(handle.pid);
    expect(progress.at(-1)).toEqual({ done: 5, total: 5, message: 'step 5' });
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  it('cancels: the child stops and the result rejects as CANCELLED', async () => {
    const { handle, progress } = start({ mode: 'wait-cancel' });
    await firstProgress(progress);
    handle.cancel();
    await expect(handle.result).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('kills a child that ignores the cancel', async () => {
    const { handle, progress } = start({ mode: 'ignore-cancel' }, 300);
    await firstProgress(progress);
    handle.cancel();
    await expect(handle.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(() => process.kill(handle.pid!, 0)).toThrow();
  });

  it('passes a task error through with its code and message', async () => {
    const { handle } = start({ mode: 'fail' });
    await expect(handle.result).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'bad.csv: line 3 has 2 fields, expected 5',
    });
  });

  it('turns a crash into an INTERNAL error naming the exit and the stderr tail', async () => {
    const { handle } = start({ mode: 'crash' });
    await expect(handle.result).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(
        /^fixture process ended unexpectedly \(exit code 3\): .*fixture: about to crash/,
      ),
    });
  });

  it('rejects naming the file when the entry is missing (no in-process fallback)', async () => {
    const missing = path.join(import.meta.dirname, 'no-such-child.js');
    await expect(
      runChildTask({ entry: { file: missing }, input: {}, label: 'x' }),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(`${missing}: entry is missing`),
    });
  });

  it('turns a killed child into a failure, not a throw in the parent', async () => {
    const { handle, progress } = start({ mode: 'wait-cancel' });
    await firstProgress(progress);
    process.kill(handle.pid!, 'SIGKILL');
    await expect(handle.result).rejects.toThrow(/ended unexpectedly \(signal SIGKILL\)/);
  });
});

describe('serveChildTask over a parentPort (Electron utilityProcess)', () => {
  it('speaks the same protocol through process.parentPort', async () => {
    // A spawner like Electron's: messages go through the (stand-in) port, not process.send.
    const viaPort: ChildSpawner = (file, hooks) => {
      const child = fork(path.join(fixtures, 'parent-port-standin.mjs'), [file], {
        execArgv: tsxExecArgv(),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      expect(file).toBe(entryPath);
      child.stderr?.on('data', (d: Buffer) => hooks.onStderr(d.toString()));
      // Only what the entry posted on the port counts.
      child.on(
        'message',
        (m: { viaPort?: unknown }) => 'viaPort' in m && hooks.onMessage(m.viaPort),
      );
      child.on('exit', (code) => hooks.onExit(`exit code ${code}`));
      return {
        pid: child.pid,
        post: (msg) => void (child.connected && child.send({ viaPort: msg })),
        kill: () => void child.kill('SIGKILL'),
      };
    };
    const progress: number[] = [];
    const handle = startChildTask<FixtureInput, FixtureResult>({
      entry,
      input: { mode: 'ok', steps: 3 },
      label: 'fixture process',
      spawn: viaPort,
      onProgress: (done) => progress.push(done),
    });
    const r = await handle.result;
    expect(r.sum).toBe(6);
    expect(r.pid).toBe(handle.pid);
    expect(progress.at(-1)).toBe(3);
  });
});
