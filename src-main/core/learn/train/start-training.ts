// Parent side of training: runs the training child (entries.ts 'training-child') through the generic
// child-task mechanism, relays its events, cancels gracefully, and resolves `done` with a summary;
// a failed or crashed child ends the run as failed with the reason and never throws into the parent.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { PlateLabError } from '../../errors';
import { threadPoolEnv } from '../../imaging/pipeline/threads';
import { startChildTask, type ChildSpawner } from '../../jobs/child-task';
import { runPath, updateRunInfo } from '../runs/run-folder';
import type {
  TrainEvent,
  TrainJob,
  TrainStarted,
  StepMetric,
  EpochMetric,
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

function relay(events: EventEmitter<TrainingEvents>, e: TrainEvent): void {
  if (e.type === 'started') events.emit('started', e.info);
  else if (e.type === 'step') events.emit('step', e.metric);
  else if (e.type === 'epoch') events.emit('epoch', e.metric);
  else if (e.type === 'checkpoint')
    events.emit('checkpoint', { dir: e.dir, epoch: e.epoch, globalStep: e.globalStep });
}

/**
 * Starts training `job` in its own process: a node fork by default, or `spawn` (Electron's
 * utilityProcess spawner). The child gets UV_THREADPOOL_SIZE for its decode pipeline; a cancel is
 * never forced (the child checkpoints first, however long its step takes).
 */
export function startTraining(job: TrainJob, spawn?: ChildSpawner): TrainingHandle {
  const events = new EventEmitter<TrainingEvents>();
  let handle: ReturnType<typeof startChildTask<TrainJob, TrainSummary>>;
  try {
    handle = startChildTask<TrainJob, TrainSummary>({
      entry: 'training-child',
      input: job,
      label: 'training process',
      spawn,
      env: threadPoolEnv(),
      killAfterMs: Number.POSITIVE_INFINITY,
      onEvent: (e) => relay(events, e as TrainEvent),
      onStderr: (text) => events.emit('stderr', text),
    });
  } catch (err) {
    return {
      events,
      pid: undefined,
      cancel: () => {},
      done: Promise.resolve(failedRun(job.runDir, err)),
    };
  }
  return {
    events,
    get pid() {
      return handle.pid;
    },
    cancel: () => handle.cancel(),
    done: handle.result.catch((err: unknown) => failedRun(job.runDir, err)),
  };
}

/**
 * The summary of a training that ended with an error instead of a summary (bad input, a crash, a
 * kill): the run is marked failed on disk where it exists, with the reason (a crash's reason
 * carries the last lines of the child's stderr), and the error's code is kept.
 */
export function failedRun(runDirIn: string, err: unknown): TrainSummary {
  const reason = err instanceof Error ? err.message : String(err);
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
    errorCode: err instanceof PlateLabError ? err.code : 'INTERNAL',
  };
}
