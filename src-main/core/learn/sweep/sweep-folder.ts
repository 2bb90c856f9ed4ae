// The sweep folder: sweep.json (the plan, scheduler settings and every submission's job id),
// configs/NAME.json (each run's complete training config), runs/NAME/ (the run folders),
// sweep.sbatch (the Slurm array script) and logs/ (one log per array task).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SlurmResources, TrainConfig } from '../../../../src-shared/contract';
import { inputError } from '../../errors';
import { writeJsonAtomic } from '../../util/atomic-write';
import type { PlannedRun } from './plan';

export const sweepFiles = {
  manifest: 'sweep.json',
  configs: 'configs',
  runs: 'runs',
  script: 'sweep.sbatch',
  logs: 'logs',
} as const;

export { SlurmResources };

const SweepRun = z.object({
  index: z.number().int().min(0),
  name: z.string().min(1),
  settings: z.record(z.string(), z.string()),
  seed: z.number().int(),
  fold: z.number().int().nullable(),
  valExperiments: z.array(z.string()).nullable(),
});

/** One `sbatch --array` (slurm) or one local pass, and the run indexes it covered. */
const Submission = z.object({
  scheduler: z.enum(['slurm', 'local']),
  jobId: z.string().nullable(),
  tasks: z.array(z.number().int().min(0)),
  submittedAt: z.string(),
  /** Local pass: the pid of the process running it (its runs wait their turn while it lives). */
  pid: z.number().int().optional(),
  /** Local pass: when it ended and how (a run it never started is then not waiting any more). */
  endedAt: z.string().optional(),
  outcome: z.enum(['done', 'cancelled', 'failed']).optional(),
});
export type Submission = z.infer<typeof Submission>;

export const SweepManifest = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  createdAt: z.string(),
  /** Absolute path of the catalog every run trains on. */
  dbFile: z.string(),
  grid: z.array(z.object({ key: z.string(), values: z.array(z.string()) })),
  seeds: z.number().int().min(1),
  folds: z.object({ by: z.literal('experiment'), k: z.number().int().min(2) }).nullable(),
  runs: z.array(SweepRun),
  slurm: SlurmResources.nullable(),
  submissions: z.array(Submission),
});
export type SweepManifest = z.infer<typeof SweepManifest>;

export function sweepPath(sweepDir: string, name: keyof typeof sweepFiles): string {
  return path.join(sweepDir, sweepFiles[name]);
}

/** A run's folder (absolute) in the sweep. */
export function sweepRunDir(sweepDir: string, runName: string): string {
  return path.join(path.resolve(sweepDir), sweepFiles.runs, runName);
}

export function sweepConfigFile(sweepDir: string, runName: string): string {
  return path.join(path.resolve(sweepDir), sweepFiles.configs, `${runName}.json`);
}

/** Reads and validates sweep.json; an input error names the file and the bad field. */
export function readSweep(sweepDir: string): SweepManifest {
  const file = sweepPath(sweepDir, 'manifest');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw inputError(
      fs.existsSync(file)
        ? `${file}: not valid JSON: ${(err as Error).message}`
        : `${sweepDir}: not a sweep folder (no ${sweepFiles.manifest})`,
    );
  }
  const r = SweepManifest.safeParse(raw);
  if (!r.success)
    throw inputError(
      `${file}: invalid sweep manifest: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

export function writeSweep(sweepDir: string, manifest: SweepManifest): void {
  writeJsonAtomic(sweepPath(sweepDir, 'manifest'), SweepManifest.parse(manifest));
}

/** The manifest of a new sweep (no submissions yet), as createSweepFolder writes it. */
export function newSweepManifest(
  head: Omit<SweepManifest, 'version' | 'runs' | 'submissions' | 'createdAt'>,
  runs: PlannedRun[],
): SweepManifest {
  return {
    version: 1,
    ...head,
    createdAt: new Date().toISOString(),
    runs: runs.map(({ index, name, settings, seed, fold, valExperiments }) => ({
      index,
      name,
      settings,
      seed,
      fold,
      valExperiments,
    })),
    submissions: [],
  };
}

/**
 * Creates the sweep folder: sweep.json and one complete config file per run. Refuses (input error)
 * a folder that already holds a sweep, so nothing trained is overwritten.
 */
export function createSweepFolder(
  sweepDir: string,
  head: Omit<SweepManifest, 'version' | 'runs' | 'submissions' | 'createdAt'>,
  runs: PlannedRun[],
): SweepManifest {
  if (fs.existsSync(sweepPath(sweepDir, 'manifest')))
    throw inputError(
      `${sweepDir}: already holds a sweep; resubmit it (platelab sweep resubmit) or choose another --dir`,
    );
  for (const r of runs)
    writeJsonAtomic(sweepConfigFile(sweepDir, r.name), TrainConfig.parse(r.config));
  fs.mkdirSync(sweepPath(sweepDir, 'logs'), { recursive: true });
  fs.mkdirSync(sweepPath(sweepDir, 'runs'), { recursive: true });
  const manifest = newSweepManifest(head, runs);
  writeSweep(sweepDir, manifest);
  return manifest;
}

/**
 * The sweep a run folder belongs to (its name), or null: a sweep keeps its runs in
 * SWEEP/runs/NAME, so SWEEP/sweep.json two levels up names it.
 */
export function sweepNameOfRun(runDir: string): string | null {
  const sweepDir = path.dirname(path.dirname(path.resolve(runDir)));
  if (path.basename(path.dirname(path.resolve(runDir))) !== sweepFiles.runs) return null;
  try {
    const j = JSON.parse(fs.readFileSync(sweepPath(sweepDir, 'manifest'), 'utf8')) as {
      name?: unknown;
    };
    return typeof j.name === 'string' ? j.name : null;
  } catch {
    return null;
  }
}

/** The data folder's sweeps: `root`/sweeps (where submit puts a sweep without --dir). */
export function sweepsRoot(dataRoot: string): string {
  return path.join(dataRoot, 'sweeps');
}

/** Checks a sweep name (it becomes a folder name). Error (input): other characters. */
export function checkSweepName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw inputError(`--name ${name}: use letters, digits, '.', '_' and '-'`);
  return name;
}

/** The sweep folders under `root` (those holding sweep.json), by name; [] when there is none. */
export function listSweepDirs(root: string): string[] {
  return fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .sort()
        .map((d) => path.join(root, d))
        .filter((d) => fs.existsSync(sweepPath(d, 'manifest')))
    : [];
}
