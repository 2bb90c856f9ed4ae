// Slurm as the scheduler of a sweep: the job-array batch script (one task per run, each calling
// `platelab train` with its config file or `--resume`), sbatch / scancel, and the tasks' states as
// Slurm reports them (squeue --json, then sacct, or scontrol where squeue has no JSON).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError, PlateLabError } from '../../errors';
import {
  sweepConfigFile,
  sweepPath,
  sweepRunDir,
  type SlurmResources,
  type SweepManifest,
} from './sweep-folder';

/** The platelab executable the batch script calls (this installation's bin/platelab.js). */
export const PLATELAB_BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../bin/platelab.js',
);

/** Single-quotes a string for bash. */
function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The array batch script of a sweep. Task i trains run i: `platelab train --config` for a new run,
 * `--resume` when its folder already holds one (a resubmitted task continues from its checkpoint),
 * nothing when it is done. Resources become #SBATCH lines; the array range is given at submission.
 */
export function batchScript(sweepDir: string, m: SweepManifest, res: SlurmResources): string {
  const dir = path.resolve(sweepDir);
  const opts = [
    `--job-name=platelab-${m.name}`,
    `--output=${path.join(dir, 'logs', '%A_%a.out')}`,
    `--cpus-per-task=${res.cpus}`,
    ...(res.partition ? [`--partition=${res.partition}`] : []),
    ...(res.account ? [`--account=${res.account}`] : []),
    ...(res.time ? [`--time=${res.time}`] : []),
    ...(res.gpus > 0 ? [`--gres=gpu:${res.gpus}`] : []),
    ...(res.mem ? [`--mem=${res.mem}`] : []),
  ];
  const cases = m.runs.map(
    (r) =>
      `  ${r.index}) RUN=${sh(sweepRunDir(dir, r.name))}; CONFIG=${sh(sweepConfigFile(dir, r.name))} ;;`,
  );
  return [
    '#!/bin/bash',
    `# PlateLab sweep "${m.name}": array task i trains run i (written by platelab sweep submit).`,
    ...opts.map((o) => `#SBATCH ${o}`),
    'set -euo pipefail',
    `DB=${sh(m.dbFile)}`,
    '# Node 20+ on the nodes; PLATELAB_NODE / PLATELAB_BIN override where they are.',
    `NODE="\${PLATELAB_NODE:-node}"`,
    `PLATELAB="\${PLATELAB_BIN:-${PLATELAB_BIN}}"`,
    'case "${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}" in',
    ...cases,
    '  *) echo "sweep has no run for array task $SLURM_ARRAY_TASK_ID" >&2; exit 1 ;;',
    'esac',
    "# Decode threads within the task's CPUs (one core stays with the training thread).",
    'CPUS="${SLURM_CPUS_PER_TASK:-1}"',
    'WORKERS=$(( CPUS > 1 ? CPUS - 1 : 1 ))',
    'echo "task $SLURM_ARRAY_TASK_ID on $(hostname): $RUN"',
    'if [ -f "$RUN/run.json" ] && grep -q \'"status": "done"\' "$RUN/run.json"; then',
    '  echo "already done: $RUN"; exit 0',
    'fi',
    '# A decoded-site cache of its own on node-local disk: the shared one has one writer at a time.',
    'CACHE="${TMPDIR:-/tmp}/platelab-cache-${SLURM_JOB_ID}.bin"',
    'trap \'rm -f "$CACHE" "$CACHE.index.json"\' EXIT',
    'ARGS=(--db "$DB" --out "$RUN" --decode-workers "$WORKERS" --cache-file "$CACHE")',
    'if [ -f "$RUN/run.json" ]; then',
    '  "$NODE" "$PLATELAB" train "${ARGS[@]}" --resume',
    'else',
    '  "$NODE" "$PLATELAB" train "${ARGS[@]}" --config "$CONFIG"',
    'fi',
    '',
  ].join('\n');
}

interface Exec {
  status: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(cmd: string, args: string[]): Exec {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', missing };
}

function slurmError(cmd: string, r: Exec): PlateLabError {
  if (r.missing)
    return inputError(
      `${cmd}: not found; --scheduler slurm needs the Slurm client commands on this machine`,
    );
  return new PlateLabError(
    'UNAVAILABLE',
    `${cmd} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`,
  );
}

/** `1,3,5-7` for sbatch --array. */
export function arraySpec(tasks: number[]): string {
  const s = [...new Set(tasks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Submits the script as an array of `tasks`; returns the array job id. Errors name sbatch's reason. */
export function sbatch(sweepDir: string, tasks: number[]): string {
  const r = run('sbatch', [
    '--parsable',
    `--array=${arraySpec(tasks)}`,
    `--chdir=${path.resolve(sweepDir)}`,
    sweepPath(sweepDir, 'script'),
  ]);
  // sbatch refuses what the user asked for (partition, account, time, GRES): an input error.
  if (r.status !== 0 && !r.missing)
    throw inputError(`sbatch refused the sweep's job array: ${(r.stderr || r.stdout).trim()}`);
  if (r.status !== 0) throw slurmError('sbatch', r);
  const id = r.stdout.trim().split(';')[0]!;
  if (!/^\d+$/.test(id)) throw new PlateLabError('INTERNAL', `sbatch printed "${r.stdout.trim()}"`);
  return id;
}

/** Cancels array tasks (`JOB_TASK`), or whole arrays (`JOB`). */
export function scancel(ids: string[]): void {
  if (ids.length === 0) return;
  const r = run('scancel', ids);
  if (r.status !== 0) throw slurmError('scancel', r);
}

/** A task's state as Slurm reports it: JOB_STATE names (PENDING, RUNNING, CANCELLED, …). */
export interface SlurmTaskState {
  jobId: string;
  task: number;
  state: string;
  reason: string | null;
  /** Where the state came from. */
  source: 'squeue' | 'sacct' | 'scontrol';
}

/** `0-3,7%2` → [0,1,2,3,7]. */
export function parseTaskList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.replace(/%\d+$/, '').replace(/[[\]]/g, '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

interface SqueueJson {
  jobs?: Array<{
    job_id?: number;
    array_job_id?: number | { number?: number };
    array_task_id?: number | null | { number?: number; set?: boolean };
    array_task_string?: string;
    job_state?: string | string[];
    state_reason?: string;
  }>;
}

const num = (v: unknown): number | null =>
  typeof v === 'number'
    ? v
    : v && typeof v === 'object' && 'number' in v && (v as { set?: boolean }).set !== false
      ? Number((v as { number: number }).number)
      : null;

/** Parses `squeue --json` (Slurm 22.05+, number fields plain or as {number, set}). */
export function parseSqueueJson(text: string, jobIds: Set<string>): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  const j = JSON.parse(text) as SqueueJson;
  for (const job of j.jobs ?? []) {
    const arrayId = num(job.array_job_id);
    const jobId = String(arrayId || num(job.job_id));
    if (!jobIds.has(jobId)) continue;
    const state = Array.isArray(job.job_state) ? job.job_state[0]! : (job.job_state ?? 'UNKNOWN');
    const reason = job.state_reason && job.state_reason !== 'None' ? job.state_reason : null;
    const task = num(job.array_task_id);
    const tasks = task !== null ? [task] : parseTaskList(job.array_task_string ?? '');
    for (const t of tasks) out.push({ jobId, task: t, state, reason, source: 'squeue' });
  }
  return out;
}

/** Parses `scontrol show job -o` lines (one per array task or pending range). */
export function parseScontrol(text: string, jobIds: Set<string>): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split('\n')) {
    const f = new Map<string, string>();
    for (const m of line.matchAll(/(\w+)=(\S*)/g)) if (!f.has(m[1]!)) f.set(m[1]!, m[2]!);
    const jobId = f.get('ArrayJobId');
    if (!jobId || !jobIds.has(jobId)) continue;
    const reason = f.get('Reason');
    for (const t of parseTaskList(f.get('ArrayTaskId') ?? ''))
      out.push({
        jobId,
        task: t,
        state: f.get('JobState') ?? 'UNKNOWN',
        reason: reason && reason !== 'None' ? reason : null,
        source: 'scontrol',
      });
  }
  return out;
}

/** Parses `sacct -n -P -X -o JobID,State` lines (`12_3|COMPLETED`, `12_[4-6]|PENDING`). */
export function parseSacct(text: string, jobIds: Set<string>): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split('\n')) {
    const [id, stateText] = line.trim().split('|');
    const m = /^(\d+)_(.+)$/.exec(id ?? '');
    if (!m || !jobIds.has(m[1]!) || !stateText) continue;
    // "CANCELLED by 0" → CANCELLED
    const state = stateText.split(' ')[0]!;
    for (const t of parseTaskList(m[2]!))
      out.push({ jobId: m[1]!, task: t, state, reason: null, source: 'sacct' });
  }
  return out;
}

/**
 * The states of the given array jobs' tasks, as Slurm knows them: squeue --json (pending, running,
 * and ended within MinJobAge), sacct for the rest where accounting is on, scontrol where squeue has
 * no JSON output. A task Slurm no longer knows is absent (the caller says so; nothing is guessed).
 * Key: `JOB_TASK`.
 */
export function slurmTaskStates(jobIds: string[]): Map<string, SlurmTaskState> {
  const ids = new Set(jobIds);
  const out = new Map<string, SlurmTaskState>();
  if (ids.size === 0) return out;
  const add = (list: SlurmTaskState[]) => {
    for (const s of list) if (!out.has(`${s.jobId}_${s.task}`)) out.set(`${s.jobId}_${s.task}`, s);
  };
  const q = run('squeue', ['--json']);
  if (q.missing) throw slurmError('squeue', q);
  let parsed = false;
  if (q.status === 0) {
    try {
      add(parseSqueueJson(q.stdout, ids));
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  if (!parsed) {
    const c = run('scontrol', ['show', 'job', '-o']);
    if (c.status !== 0) throw slurmError('scontrol show job', c);
    add(parseScontrol(c.stdout, ids));
  }
  const a = run('sacct', ['-n', '-P', '-X', '-o', 'JobID,State', '-j', [...ids].join(',')]);
  // "Slurm accounting storage is disabled": nothing more to learn there.
  if (a.status === 0) add(parseSacct(a.stdout, ids));
  return out;
}
