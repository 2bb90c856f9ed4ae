// Parent side of training: forks the child (TypeScript through tsx), relays its messages as events,
// cancels gracefully, and resolves `done` with a summary; a crashed child ends the run as failed
// with the reason and never throws into the parent.
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadPoolEnv } from '../../imaging/pipeline/threads';
import { tsxExecArgv } from '../../jobs/child-task';
import { runPath, updateRunInfo } from '../runs/run-folder';
import type {
  ChildMessage,
  EpochMetric,
  StepMetric,
  TrainJob,
  TrainStarted,
  TrainSummary,
} from './messages';

export interface TrainingEvents {
  started: [TrainStarted];
  step: [StepMetric];
  epoch: [EpochMetric];
  checkpoint: [{ dir: string; epoch: number; globalStep: number }];
  stderr: [string];
}

export interface TrainingHandle {
  events: EventEmitter<TrainingEvents>;
  /** Graceful: the child finishes its step, checkpoints and exits. */
  cancel(): void;
  /** The child's process id (tests kill it to simulate a crash). */
  pid: number | undefined;
  done: Promise<TrainSummary>;
}

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child-entry.ts');

export function startTraining(job: TrainJob): TrainingHandle {
  const events = new EventEmitter<TrainingEvents>();
  const child = fork(entry, [], {
    execArgv: tsxExecArgv(),
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: threadPoolEnv(),
  });
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    stderrTail = (stderrTail + text).slice(-4000);
    events.emit('stderr', text);
  });
  let summary: TrainSummary | null = null;
  child.on('message', (msg: ChildMessage) => {
    if (msg.type === 'started') events.emit('started', msg.info);
    else if (msg.type === 'step') events.emit('step', msg.metric);
    else if (msg.type === 'epoch') events.emit('epoch', msg.metric);
    else if (msg.type === 'checkpoint')
      events.emit('checkpoint', { dir: msg.dir, epoch: msg.epoch, globalStep: msg.globalStep });
    else if (msg.type === 'done') summary = msg.summary;
  });
  const done = new Promise<TrainSummary>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (summary) return resolve(summary);
      resolve(
        childEndedWithoutSummary(
          job.runDir,
          signal ? `signal ${signal}` : `exit code ${code}`,
          stderrTail,
        ),
      );
    };
    child.on('exit', finish);
    child.on('error', (err) => {
      stderrTail += `\n${err.message}`;
    });
  });
  child.send({ type: 'start', job });
  return {
    events,
    pid: child.pid,
    cancel: () => {
      if (child.connected) child.send({ type: 'cancel' });
    },
    done,
  };
}

/**
 * The summary of a training child that exited before reporting one (a crash, a kill): the run is
 * marked failed on disk where it exists, and the reason carries the last lines of its stderr.
 * Shared by the node-fork launcher here and Electron's utilityProcess launcher.
 */
export function childEndedWithoutSummary(
  runDirIn: string,
  how: string,
  stderrTail: string,
): TrainSummary {
  const tail = stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-5).join(' | ')}` : '';
  const reason = `training process ended unexpectedly (${how})${tail}`;
  const runDir = path.resolve(runDirIn);
  try {
    if (fs.existsSync(runPath(runDir, 'run')))
      updateRunInfo(runDir, { status: 'failed', pid: null, error: reason });
  } catch {
    // Reporting the failure matters more than recording it.
  }
  return {
    runId: path.basename(runDir),
    status: 'failed',
    backend: '',
    epochsDone: 0,
    bestValAccuracy: null,
    imagesPerSecond: null,
    warnings: [],
    error: reason,
    errorCode: 'INTERNAL',
  };
}
