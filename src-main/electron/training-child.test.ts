// The utilityProcess training entry: its parentPort adapter drives the learning code's real child
// entry. Run here in a node fork with a stand-in parentPort: a tiny run starts, streams steps and
// finishes with a summary, exactly as over Electron's utility-process channel.
import { fork } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildMessage } from '../core/learn/train/messages';
import { tinyTrainConfig } from '../../test-support/learn/tiny-config';
import { makeTestApp, type TestApp } from '../../test-support/app/test-app';

const fakeParentPort = path.join(
  import.meta.dirname,
  '../../test-support/electron/fake-parent-port.ts',
);

let app: TestApp;
beforeAll(async () => {
  app = await makeTestApp();
});
afterAll(async () => app?.cleanup());

describe('training-child (utilityProcess entry)', () => {
  it('runs a tiny training through the parentPort adapter', async () => {
    const child = fork(fakeParentPort, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const messages: ChildMessage[] = [];
    child.on('message', (m: ChildMessage) => messages.push(m));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const runDir = path.join(app.ctx.layout.runs, 'run-utility');
    child.send({
      viaPort: {
        type: 'start',
        job: { dbFile: app.ctx.dataset!.dbFile, runDir, config: tinyTrainConfig({ epochs: 1 }) },
      },
    });
    expect(await exited, stderr).toBe(0);
    expect(messages[0]?.type).toBe('started');
    expect(messages.some((m) => m.type === 'step')).toBe(true);
    const done = messages.find(
      (m): m is Extract<ChildMessage, { type: 'done' }> => m.type === 'done',
    );
    expect(done?.summary.status, done?.summary.error ?? stderr).toBe('done');
    expect(done?.summary.runId).toBe('run-utility');
  });
});
