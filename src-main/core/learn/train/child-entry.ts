// Entry of the training child process (forked with `--import tsx`): waits for a start message, runs
// the loop, streams metrics to the parent, and turns any failure into a final 'done' message with
// status 'failed' and the reason, then exits.
import { isInputError, PlateLabError } from '../../errors';
import type { ChildMessage, ParentMessage, TrainSummary } from './messages';
import { runTraining } from './trainer';
import { updateRunInfo } from '../runs/run-folder';
import path from 'node:path';
import fs from 'node:fs';

let cancelled = false;

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

process.on('message', (raw: ParentMessage) => {
  if (raw.type === 'cancel') cancelled = true;
  else if (raw.type === 'start') void run(raw.job);
});
// The parent going away is a cancel: finish the step, checkpoint, exit.
process.on('disconnect', () => {
  cancelled = true;
});

async function run(job: Parameters<typeof runTraining>[0]): Promise<void> {
  let summary: TrainSummary;
  try {
    summary = await runTraining(job, {
      emit: (msg) => void send(msg),
      isCancelled: () => cancelled,
    });
  } catch (err) {
    const e = err as Error;
    const message = isInputError(err) ? e.message : `${e.message}\n${e.stack ?? ''}`.trim();
    const runDir = path.resolve(job.runDir);
    if (fs.existsSync(path.join(runDir, 'run.json'))) {
      try {
        updateRunInfo(runDir, { status: 'failed', pid: null, error: e.message });
      } catch {
        // run.json unreadable: the parent still gets the reason below.
      }
    }
    summary = {
      runId: path.basename(runDir),
      status: 'failed',
      backend: '',
      epochsDone: 0,
      bestValAccuracy: null,
      imagesPerSecond: null,
      warnings: [],
      error: message,
      errorCode: err instanceof PlateLabError ? err.code : 'INTERNAL',
    };
    process.exitCode = isInputError(err) ? 1 : 2;
  }
  await send({ type: 'done', summary });
  process.disconnect?.();
  process.exit();
}
