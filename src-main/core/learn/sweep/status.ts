// The state of a sweep's runs: Slurm's word on each array task (never guessed) combined with the
// run folder's run.json and metrics, and the cross-validation summary (each fold's and the mean
// held-out accuracy with its spread).
import fs from 'node:fs';
import type { z } from 'zod';
import type { SweepRunState as SweepRunStateSchema } from '../../../../src-shared/contract';
import { inputError } from '../../errors';
import { alive, effectiveStatus, readRunMetrics } from '../runs/list-runs';
import { readRunInfo, runPath, type RunInfo } from '../runs/run-folder';
import { slurmTaskStates, type SlurmTaskState } from './slurm';
import { sweepRunDir, type Submission, type SweepManifest } from './sweep-folder';

/**
 * planned: never submitted; queued / running: Slurm has it pending / running (local: training now);
 * done: run.json says done; failed, cancelled, preempted, timeout: Slurm's end state of the task
 * (or the run's own, locally); lost: Slurm no longer knows the task (node failure, or accounting off
 * and the job aged out) and the run did not finish, or a local run whose process is gone.
 */
export type SweepRunState = z.infer<typeof SweepRunStateSchema>;

/** States a run can be resubmitted from (it resumes from its checkpoint where it has one). */
export const RESUBMITTABLE: ReadonlySet<SweepRunState> = new Set([
  'planned',
  'failed',
  'cancelled',
  'preempted',
  'timeout',
  'lost',
]);

export interface SweepRunStatus {
  index: number;
  name: string;
  runDir: string;
  settings: Record<string, string>;
  seed: number;
  fold: number | null;
  state: SweepRunState;
  /** Why, in words: Slurm's state and reason, or what run.json says. */
  detail: string;
  /** The Slurm task (`JOB_TASK`) of the latest submission, null when local or never submitted. */
  slurmTask: string | null;
  epochsDone: number;
  epochs: number | null;
  bestValAccuracy: number | null;
  /** Validation accuracy after the last finished epoch (the held-out fold's, for CV runs). */
  lastValAccuracy: number | null;
}

function readInfo(runDir: string): RunInfo | null {
  if (!fs.existsSync(runPath(runDir, 'run'))) return null;
  try {
    return readRunInfo(runDir);
  } catch {
    return null;
  }
}

/** Maps a Slurm JOB_STATE (and run.json) onto a sweep run state. */
export function stateFromSlurm(
  slurm: SlurmTaskState,
  info: RunInfo | null,
): { state: SweepRunState; detail: string } {
  const s = slurm.state.toUpperCase();
  const why = `Slurm ${s}${slurm.reason ? ` (${slurm.reason})` : ''}`;
  if (['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD'].includes(s))
    return { state: 'queued', detail: why };
  if (['RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING'].includes(s))
    return { state: 'running', detail: why };
  if (info?.status === 'done') return { state: 'done', detail: `${why}; run.json done` };
  if (s === 'COMPLETED')
    return {
      state: 'failed',
      detail: `${why} but run.json says ${info ? info.status : 'nothing (no run folder)'}`,
    };
  if (s === 'CANCELLED') return { state: 'cancelled', detail: why };
  if (s === 'PREEMPTED') return { state: 'preempted', detail: why };
  if (s === 'TIMEOUT' || s === 'DEADLINE') return { state: 'timeout', detail: why };
  if (['NODE_FAIL', 'BOOT_FAIL', 'LAUNCH_FAILED', 'REVOKED'].includes(s))
    return { state: 'lost', detail: why };
  return {
    state: 'failed',
    detail: `${why}${info?.error ? `: ${info.error}` : ''}`,
  };
}

/**
 * A local (or never submitted) run's state from its run folder and its local pass: a run without a
 * folder is 'queued' while the pass runs (not ended, `sub.pid` alive), 'cancelled' when the pass was
 * cancelled or stopped at a failed run before it, 'lost' when the pass died without ending.
 */
export function stateFromRun(
  info: RunInfo | null,
  sub: Submission | undefined,
): { state: SweepRunState; detail: string } {
  if (!info) {
    if (!sub) return { state: 'planned', detail: 'not submitted' };
    if (sub.endedAt === undefined && sub.pid !== undefined && alive(sub.pid))
      return { state: 'queued', detail: `waiting its turn in the local pass (pid ${sub.pid})` };
    if (sub.outcome === 'cancelled')
      return { state: 'cancelled', detail: 'the local pass was cancelled before this run started' };
    if (sub.outcome === 'failed')
      return { state: 'cancelled', detail: 'not started: an earlier run of the local pass failed' };
    return { state: 'lost', detail: 'submitted locally but its pass ended before it started' };
  }
  const s = effectiveStatus(info);
  if (s === 'interrupted')
    return { state: 'lost', detail: 'run.json says running but its process is gone' };
  return { state: s, detail: `run.json ${s}${info.error ? `: ${info.error}` : ''}` };
}

/**
 * Every run of a sweep with its state and metrics. Slurm runs: the task of the latest submission
 * that covered the run, asked of Slurm (squeue/sacct/scontrol); a task Slurm no longer knows is
 * 'done' only when run.json says so, else 'lost'. Errors: Slurm commands missing or failing.
 */
export function sweepStatus(sweepDir: string, m: SweepManifest): SweepRunStatus[] {
  const latest = new Map<number, (typeof m.submissions)[number]>();
  for (const sub of m.submissions) for (const t of sub.tasks) latest.set(t, sub);
  const jobIds = [
    ...new Set([...latest.values()].filter((s) => s.scheduler === 'slurm').map((s) => s.jobId!)),
  ];
  const slurm = jobIds.length ? slurmTaskStates(jobIds) : new Map<string, SlurmTaskState>();
  return m.runs.map((r) => {
    const runDir = sweepRunDir(sweepDir, r.name);
    const info = readInfo(runDir);
    const sub = latest.get(r.index);
    const task = sub?.scheduler === 'slurm' ? `${sub.jobId}_${r.index}` : null;
    let st: { state: SweepRunState; detail: string };
    if (task) {
      const s = slurm.get(task);
      st = s
        ? stateFromSlurm(s, info)
        : info?.status === 'done'
          ? { state: 'done', detail: 'run.json done (Slurm no longer lists the task)' }
          : {
              state: 'lost',
              detail: `Slurm has no record of task ${task} (ended and forgotten, accounting off?) and run.json says ${info ? info.status : 'nothing (never started)'}`,
            };
    } else st = stateFromRun(info, sub);
    const epochs = info ? readRunMetrics(runDir).epochs : [];
    const last = epochs.at(-1);
    return {
      index: r.index,
      name: r.name,
      runDir,
      settings: r.settings,
      seed: r.seed,
      fold: r.fold,
      ...st,
      slurmTask: task,
      epochsDone: info?.epochsDone ?? 0,
      epochs: readEpochs(runDir),
      bestValAccuracy: info?.bestValAccuracy ?? null,
      lastValAccuracy: last?.valAccuracy ?? null,
    };
  });
}

function readEpochs(runDir: string): number | null {
  try {
    return (JSON.parse(fs.readFileSync(runPath(runDir, 'config'), 'utf8')) as { epochs: number })
      .epochs;
  } catch {
    return null;
  }
}

export interface CvGroup {
  /** The grid point and seed the folds share, e.g. "learningRate=0.01 seed=42". */
  label: string;
  folds: Array<{ fold: number; run: string; accuracy: number | null }>;
  /** Mean held-out accuracy over the folds with one; null while any fold has none. */
  mean: number | null;
  /** Sample standard deviation (n − 1) of the folds' accuracies; null for fewer than 2. */
  sd: number | null;
}

/**
 * Cross-validation summary: runs grouped by grid point and seed, each fold's held-out accuracy
 * (validation accuracy after its last epoch, not the best epoch's, which would be chosen on the
 * fold itself) and their mean ± sample standard deviation. Only for sweeps with folds.
 */
export function crossValidationSummary(runs: SweepRunStatus[]): CvGroup[] {
  const groups = new Map<string, SweepRunStatus[]>();
  for (const r of runs) {
    if (r.fold === null) continue;
    const label = [
      ...Object.entries(r.settings).map(([k, v]) => `${k}=${v}`),
      `seed=${r.seed}`,
    ].join(' ');
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  return [...groups].map(([label, rs]) => {
    const folds = rs
      .map((r) => ({
        fold: r.fold! + 1,
        run: r.name,
        accuracy: r.state === 'done' ? r.lastValAccuracy : null,
      }))
      .sort((a, b) => a.fold - b.fold);
    const acc = folds.map((f) => f.accuracy);
    const complete = acc.every((a) => a !== null);
    const xs = acc as number[];
    const mean = complete && xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
    const sd =
      mean !== null && xs.length > 1
        ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1))
        : null;
    return { label, folds, mean, sd };
  });
}

/**
 * The run folders of a sweep's done runs, the members of its ensemble. Error (input): a run not
 * done, unless `allowIncomplete` (then only the done ones are returned).
 */
export function doneSweepRunDirs(
  sweepDir: string,
  m: SweepManifest,
  allowIncomplete: boolean,
): string[] {
  const status = sweepStatus(sweepDir, m);
  const notDone = status.filter((r) => r.state !== 'done');
  if (notDone.length && !allowIncomplete)
    throw inputError(
      `${sweepDir}: run(s) ${notDone.map((r) => `${r.name} (${r.state})`).join(', ')} are not done; wait, resubmit, or --allow-incomplete to ensemble the done ones`,
    );
  return status.filter((r) => r.state === 'done').map((r) => sweepRunDir(sweepDir, r.name));
}
