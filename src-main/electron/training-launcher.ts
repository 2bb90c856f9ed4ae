// Training in the desktop app runs in an Electron utilityProcess (a crash there never takes the
// window down). Same TrainingHandle as the learning code's node-fork launcher used by serve mode.
// utilitySpawner runs other child tasks (prediction) the same way, for core/jobs/child-task.
import { utilityProcess } from 'electron';
import { EventEmitter } from 'node:events';
import type { TrainingLauncher } from '../core/api/training-handlers';
import { threadPoolEnv } from '../core/imaging/pipeline/threads';
import type { ChildSpawner } from '../core/jobs/child-task';
import type { ToTask } from '../core/jobs/child-task-protocol';
import type { ChildMessage, ParentMessage, TrainSummary } from '../core/learn/train/messages';
import { childEndedWithoutSummary, type TrainingEvents } from '../core/learn/train/start-training';

/** `childEntry`: the bundled training-child.js next to the main bundle. */
export function utilityTrainingLauncher(childEntry: string): TrainingLauncher {
  return (job) => {
    const events = new EventEmitter<TrainingEvents>();
    const child = utilityProcess.fork(childEntry, [], {
      serviceName: 'PlateLab training',
      stdio: 'pipe',
      env: threadPoolEnv(),
    });
    let stderrTail = '';
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      stderrTail = (stderrTail + text).slice(-4000);
      events.emit('stderr', text);
    });
    child.stdout?.on('data', (d: Buffer) => process.stdout.write(d));
    let summary: TrainSummary | null = null;
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'started') events.emit('started', msg.info);
      else if (msg.type === 'step') events.emit('step', msg.metric);
      else if (msg.type === 'epoch') events.emit('epoch', msg.metric);
      else if (msg.type === 'checkpoint')
        events.emit('checkpoint', { dir: msg.dir, epoch: msg.epoch, globalStep: msg.globalStep });
      else if (msg.type === 'done') summary = msg.summary;
    });
    let exited = false;
    const done = new Promise<TrainSummary>((resolve) => {
      child.once('exit', (code: number) => {
        exited = true;
        resolve(summary ?? childEndedWithoutSummary(job.runDir, `exit code ${code}`, stderrTail));
      });
    });
    const send = (msg: ParentMessage) => {
      if (!exited) child.postMessage(msg);
    };
    child.once('spawn', () => send({ type: 'start', job }));
    return { events, pid: child.pid, cancel: () => send({ type: 'cancel' }), done };
  };
}

/**
 * Electron's ChildSpawner: the entry (a bundled module calling serveChildTask, which speaks
 * process.parentPort there) runs in a utilityProcess. Messages wait for 'spawn', as above.
 */
export function utilitySpawner(serviceName: string): ChildSpawner {
  return (entry, hooks) => {
    const child = utilityProcess.fork(entry, [], {
      serviceName,
      stdio: 'pipe',
      env: { ...process.env },
    });
    let spawned = false;
    let exited = false;
    const queued: ToTask[] = [];
    child.stderr?.on('data', (d: Buffer) => hooks.onStderr(d.toString()));
    child.stdout?.on('data', (d: Buffer) => process.stdout.write(d));
    child.on('message', (msg: unknown) => hooks.onMessage(msg));
    child.once('spawn', () => {
      spawned = true;
      for (const msg of queued.splice(0)) child.postMessage(msg);
    });
    child.once('exit', (code: number) => {
      exited = true;
      hooks.onExit(`exit code ${code}`);
    });
    return {
      get pid() {
        return child.pid;
      },
      post: (msg) => {
        if (exited) return;
        if (spawned) child.postMessage(msg);
        else queued.push(msg);
      },
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
