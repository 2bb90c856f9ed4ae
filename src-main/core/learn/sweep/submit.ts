// Running a sweep's runs: as one Slurm job array (the batch script written into the sweep folder,
// then sbatch), or locally one after another through the training child process; resubmission of
// the runs that did not finish (they resume from their checkpoints) and cancellation with scancel.
import fs from 'node:fs';
import { inputError } from '../../errors';
import { startTraining, type TrainingHandle } from '../train/start-training';
import type { TrainJob } from '../train/messages';
import { readRunInfo, runPath } from '../runs/run-folder';
import { batchScript, sbatch, scancel } from './slurm';
import { RESUBMITTABLE, sweepStatus, type SweepRunStatus } from './status';
import {
  readSweep,
  sweepConfigFile,
  sweepPath,
  sweepRunDir,
  writeSweep,
  type SlurmResources,
  type SweepManifest,
} from './sweep-folder';
import { parseTrainConfig } from '../config/default-config';

/** Writes (or rewrites, with new resources) sweep.sbatch; returns its text. */
export function writeBatchScript(sweepDir: string, res: SlurmResources): string {
  const m = readSweep(sweepDir);
  const text = batchScript(sweepDir, m, res);
  fs.writeFileSync(sweepPath(sweepDir, 'script'), text, { mode: 0o755 });
  writeSweep(sweepDir, { ...m, slurm: res });
  return text;
}

/** Submits runs `tasks` as one array job of the written script; records the submission. */
export function submitToSlurm(sweepDir: string, tasks: number[]): { jobId: string } {
  if (tasks.length === 0) throw inputError(`${sweepDir}: no runs to submit`);
  const m = readSweep(sweepDir);
  if (!fs.existsSync(sweepPath(sweepDir, 'script')))
    throw inputError(`${sweepPath(sweepDir, 'script')}: missing; submit with --scheduler slurm`);
  const jobId = sbatch(sweepDir, tasks);
  writeSweep(sweepDir, {
    ...m,
    submissions: [
      ...m.submissions,
      { scheduler: 'slurm', jobId, tasks, submittedAt: new Date().toISOString() },
    ],
  });
  return { jobId };
}

export interface LocalRunEvents {
  /** A run starts (or resumes) training; `handle` streams its progress and can cancel it. */
  onRun?(run: SweepManifest['runs'][number], handle: TrainingHandle, resumed: boolean): void;
}

/**
 * Trains runs `tasks` on this machine one after another, each through the training child process
 * (the same path as `platelab train`): a run folder that already holds a run resumes from its
 * checkpoint, a done one is skipped. Stops after a cancelled or failed run. Returns each run's end.
 */
export async function runLocally(
  sweepDir: string,
  tasks: number[],
  opts: {
    backend: string;
    signal?: AbortSignal;
    /** Starts a training child (default: node fork; Electron passes its utilityProcess one). */
    launch?: (job: TrainJob) => TrainingHandle;
    /** Extra fields of every run's training job (cache budget, decode workers). */
    job?: Partial<TrainJob>;
  } & LocalRunEvents,
): Promise<Array<{ name: string; status: string; error: string | null }>> {
  const m0 = readSweep(sweepDir);
  writeSweep(sweepDir, {
    ...m0,
    submissions: [
      ...m0.submissions,
      {
        scheduler: 'local',
        jobId: null,
        tasks,
        submittedAt: new Date().toISOString(),
        pid: process.pid,
      },
    ],
  });
  const out: Array<{ name: string; status: string; error: string | null }> = [];
  let outcome: 'done' | 'cancelled' | 'failed' = 'failed';
  try {
    for (const i of tasks) {
      const run = m0.runs[i];
      if (!run) throw inputError(`${sweepDir}: no run ${i}`);
      if (opts.signal?.aborted) break;
      const runDir = sweepRunDir(sweepDir, run.name);
      const exists = fs.existsSync(runPath(runDir, 'run'));
      if (exists && readRunInfo(runDir).status === 'done') {
        out.push({ name: run.name, status: 'done', error: null });
        continue;
      }
      const configFile = sweepConfigFile(sweepDir, run.name);
      const config = exists
        ? undefined
        : parseTrainConfig(JSON.parse(fs.readFileSync(configFile, 'utf8')), configFile);
      const handle = (opts.launch ?? startTraining)({
        ...opts.job,
        dbFile: m0.dbFile,
        runDir,
        config,
        resume: exists,
        backend: opts.backend,
      });
      const abort = () => handle.cancel();
      opts.signal?.addEventListener('abort', abort);
      opts.onRun?.(run, handle, exists);
      const summary = await handle.done.finally(() =>
        opts.signal?.removeEventListener('abort', abort),
      );
      out.push({ name: run.name, status: summary.status, error: summary.error ?? null });
      if (summary.status !== 'done') break;
    }
    const last = out.at(-1)?.status;
    outcome =
      opts.signal?.aborted || last === 'cancelled'
        ? 'cancelled'
        : last === 'failed'
          ? 'failed'
          : 'done';
  } finally {
    // The pass has ended: runs it never started are no longer waiting (status.ts stateFromRun).
    const m1 = readSweep(sweepDir);
    const submissions = m1.submissions.map((sub, k) =>
      k === m0.submissions.length ? { ...sub, endedAt: new Date().toISOString(), outcome } : sub,
    );
    writeSweep(sweepDir, { ...m1, submissions });
  }
  return out;
}

/** The runs that can be resubmitted (not done, not queued or running). */
export function resubmittableRuns(runs: SweepRunStatus[]): number[] {
  return runs.filter((r) => RESUBMITTABLE.has(r.state)).map((r) => r.index);
}

/**
 * Cancels the sweep's queued and running Slurm tasks (all, or the runs `only`) with scancel;
 * returns the cancelled `JOB_TASK` ids. Local runs are cancelled where they run (Ctrl-C).
 */
export function cancelSweep(sweepDir: string, only?: number[]): string[] {
  const m = readSweep(sweepDir);
  const active = sweepStatus(sweepDir, m).filter(
    (r) =>
      r.slurmTask !== null &&
      (r.state === 'queued' || r.state === 'running') &&
      (!only || only.includes(r.index)),
  );
  const ids = active.map((r) => r.slurmTask!);
  scancel(ids);
  return ids;
}
