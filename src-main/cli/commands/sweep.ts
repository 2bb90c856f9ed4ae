// `platelab sweep plan|submit|resubmit|status|cancel`: many training runs over one dataset (a grid
// of settings × seeds × k-fold cross-validation by experiment), run locally one after another or as
// one Slurm job array whose state is read back from Slurm; also the ensemble branch of `predict`.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describeUnscored } from '../../../src-shared/class-coverage';
import { dataLayout, resolveDataDir } from '../../core/app/data-dir';
import { openCatalog } from '../../core/catalog/db';
import { inputError } from '../../core/errors';
import { resolvePreference, selectBackend } from '../../core/learn/backend/select-backend';
import { readConfigText, resolveTrainConfig } from '../../core/learn/config/default-config';
import { predictEnsemble, type EnsembleWeighting } from '../../core/learn/predict/ensemble';
import { writePredictionsCsv } from '../../core/learn/predict/csv';
import { scoredWells } from '../../core/learn/predict/site-to-well';
import { predictionSetInfo } from '../../core/learn/predict/provenance';
import {
  parseFolds,
  parseGridAxis,
  planSweep,
  trainingExperiments,
  type FoldExperiment,
  type PlannedRun,
  type SweepSpec,
} from '../../core/learn/sweep/plan';
import {
  crossValidationSummary,
  doneSweepRunDirs,
  sweepStatus,
  type SweepRunStatus,
} from '../../core/learn/sweep/status';
import {
  cancelSweep,
  resubmittableRuns,
  runLocally,
  submitToSlurm,
  writeBatchScript,
} from '../../core/learn/sweep/submit';
import {
  checkSweepName,
  createSweepFolder,
  listSweepDirs,
  readSweep,
  sweepPath,
  sweepsRoot,
  type SlurmResources,
} from '../../core/learn/sweep/sweep-folder';
import { formatTable, interruptSignal, printJsonSummary, runCommand } from '../output';
import { predictOptionsFrom, type PredictCliOpts } from '../predict-options';
import { createProgress } from '../progress';

const collect = (v: string, prev: string[]) => [...prev, v];

interface PlanOpts {
  db: string;
  name?: string;
  config?: string;
  set: string[];
  grid: string[];
  seeds: string;
  folds?: string;
  recipe?: string;
  gpus?: string;
  json?: boolean;
}

interface SubmitOpts extends PlanOpts {
  scheduler: string;
  dir?: string;
  data?: string;
  partition?: string;
  account?: string;
  time?: string;
  cpus?: string;
  mem?: string;
  backend?: string;
  dryRun?: boolean;
}

function positiveInt(flag: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw inputError(`${flag} ${text}: expected an integer ≥ ${min}`);
  return n;
}

/** The plan from the command line: base config as `train` makes it, then grid × seeds × folds. */
function planFromOpts(opts: PlanOpts): { runs: PlannedRun[]; spec: SweepSpec; dbFile: string } {
  const dbFile = path.resolve(opts.db);
  if (!fs.existsSync(dbFile)) throw inputError(`${opts.db}: catalog database not found`);
  const gpus = opts.gpus === undefined ? 0 : positiveInt('--gpus', opts.gpus, 0);
  const recipe = opts.recipe ?? (gpus > 0 ? 'gpu' : 'cpu');
  if (recipe !== 'gpu' && recipe !== 'cpu')
    throw inputError(`--recipe ${recipe}: expected gpu or cpu`);
  const base = resolveTrainConfig({
    backendName: recipe === 'gpu' ? 'tensorflow-gpu' : 'wasm',
    configText: readConfigText(opts.config),
    configFile: opts.config,
    sets: opts.set,
  });
  const spec: SweepSpec = {
    base,
    grid: opts.grid.map(parseGridAxis),
    seeds: positiveInt('--seeds', opts.seeds),
    folds: opts.folds ? parseFolds(opts.folds) : null,
  };
  let experiments: FoldExperiment[] = [];
  if (spec.folds) {
    const db = openCatalog(dbFile);
    try {
      experiments = trainingExperiments(db);
    } finally {
      db.close();
    }
  }
  return { runs: planSweep(spec, experiments), spec, dbFile };
}

function describeRun(r: { settings: Record<string, string>; seed: number }): string {
  return [...Object.entries(r.settings).map(([k, v]) => `${k}=${v}`), `seed=${r.seed}`].join(' ');
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

function planTable(runs: PlannedRun[]): string {
  return formatTable(
    ['#', 'run', 'settings', 'held-out experiments'],
    runs.map((r) => [
      r.index,
      r.name,
      describeRun(r),
      r.valExperiments ? r.valExperiments.join(',') : `(${r.config.split.strategy} split)`,
    ]),
  );
}

function statusTable(runs: SweepRunStatus[]): string {
  return formatTable(
    ['#', 'run', 'state', 'epochs', 'best val', 'last val', 'slurm task', 'detail'],
    runs.map((r) => [
      r.index,
      r.name,
      r.state,
      `${r.epochsDone}/${r.epochs ?? '?'}`,
      pct(r.bestValAccuracy),
      pct(r.lastValAccuracy),
      r.slurmTask ?? '-',
      r.detail,
    ]),
  );
}

function sweepsRootOf(data?: string): string {
  return sweepsRoot(dataLayout(resolveDataDir(data)).root);
}

function slurmResources(opts: SubmitOpts): SlurmResources {
  return {
    partition: opts.partition ?? null,
    account: opts.account ?? null,
    time: opts.time ?? null,
    gpus: opts.gpus === undefined ? 0 : positiveInt('--gpus', opts.gpus, 0),
    cpus: opts.cpus === undefined ? 1 : positiveInt('--cpus', opts.cpus),
    mem: opts.mem ?? null,
  };
}

/** Trains runs locally with one progress bar per run; returns each run's end. */
async function runLocalWithProgress(sweepDir: string, tasks: number[], backend?: string) {
  let pref;
  try {
    pref = resolvePreference(backend);
  } catch (err) {
    throw inputError((err as Error).message);
  }
  const sel = await selectBackend(pref);
  const signal = interruptSignal();
  return runLocally(sweepDir, tasks, {
    backend: sel.name,
    signal,
    onRun(run, handle, resumed) {
      console.error(`run ${run.index} ${run.name}${resumed ? ' (resuming)' : ''}`);
      const bar = createProgress('train');
      let total = 0;
      handle.events.on('started', (i) => (total = i.epochs * i.stepsPerEpoch));
      handle.events.on('step', (m) =>
        bar.update(
          Math.min(m.step, total),
          total,
          `epoch ${m.epoch + 1} loss ${m.loss.toFixed(3)}`,
        ),
      );
      void handle.done.finally(() => bar.stop());
    },
  });
}

function addPlanOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--db <file>', 'catalog database file (every run trains on it)')
    .option('--name <name>', 'sweep name (default: sweep-<date>-<time>)')
    .option('--config <file>', 'JSON file with the base training settings')
    .option('--set <key=value>', 'override one base setting (as in train)', collect, [])
    .option(
      '--grid <key=v1,v2>',
      'sweep one setting over values, e.g. --grid learningRate=0.01,0.03 (repeat for a grid)',
      collect,
      [],
    )
    .option('--seeds <n>', 'runs per grid point with seeds seed, seed+1, …', '1')
    .option('--folds <by:k>', 'k-fold cross-validation by experiment, e.g. experiment:4')
    .option(
      '--recipe <gpu|cpu>',
      'base defaults: the GPU recipe or the CPU one (default: gpu when --gpus > 0)',
    )
    .option('--gpus <n>', 'GPUs per task (--gres=gpu:N)')
    .option('--json', 'print a one-line JSON summary as the last line');
}

export function register(program: Command): void {
  const sweep = program
    .command('sweep')
    .description(
      'Sweeps, cross-validation and ensembles: many runs, locally or on a Slurm cluster',
    );

  addPlanOptions(sweep.command('plan').description('Print the runs a sweep would make')).action(
    (opts: PlanOpts) =>
      runCommand('sweep plan', async () => {
        const { runs } = planFromOpts(opts);
        if (opts.json)
          return printJsonSummary({
            runs: runs.map((r) => ({ ...r, config: undefined, configSha: undefined })),
          });
        console.log(planTable(runs));
        console.log(`${runs.length} run(s)`);
      }),
  );

  addPlanOptions(
    sweep
      .command('submit')
      .description(
        'Create the sweep folder and run it: locally one after another, or as a Slurm job array',
      ),
  )
    .requiredOption('--scheduler <slurm|local>', 'where the runs train')
    .option(
      '--dir <dir>',
      'sweep folder (default: sweeps/<name> of the data folder; shared filesystem for Slurm)',
    )
    .option('--data <dir>', 'data folder (default: $PLATELAB_DATA or ~/.platelab)')
    .option('--partition <name>', 'Slurm partition')
    .option('--account <name>', 'Slurm account')
    .option('--time <limit>', 'Slurm time limit per run, e.g. 4:00:00')
    .option('--cpus <n>', 'CPUs per task (default 1)')
    .option('--mem <size>', 'memory per task, e.g. 16G (default: the partition default)')
    .option('--backend <name>', 'local: TensorFlow.js backend (default: auto)')
    .option('--dry-run', 'write the sweep folder and batch script, submit nothing')
    .action((opts: SubmitOpts) =>
      runCommand('sweep submit', async () => {
        if (opts.scheduler !== 'slurm' && opts.scheduler !== 'local')
          throw inputError(`--scheduler ${opts.scheduler}: expected slurm or local`);
        const { runs, spec, dbFile } = planFromOpts(opts);
        const name =
          opts.name ?? `sweep-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
        checkSweepName(name);
        const sweepDir = path.resolve(opts.dir ?? path.join(sweepsRootOf(opts.data), name));
        const res = opts.scheduler === 'slurm' ? slurmResources(opts) : null;
        createSweepFolder(
          sweepDir,
          { name, dbFile, grid: spec.grid, seeds: spec.seeds, folds: spec.folds, slurm: res },
          runs,
        );
        if (!opts.json) {
          console.log(planTable(runs));
          console.log(`sweep ${name}: ${runs.length} run(s) in ${sweepDir}`);
        }
        const tasks = runs.map((r) => r.index);
        if (res) {
          const script = writeBatchScript(sweepDir, res);
          if (!opts.json) console.log(`\n--- ${sweepPath(sweepDir, 'script')} ---\n${script}---`);
          if (opts.dryRun) {
            if (opts.json)
              printJsonSummary({ sweepDir, name, runs: runs.length, submitted: false });
            else console.log('dry run: nothing submitted (platelab sweep resubmit submits it)');
            return;
          }
          let jobId: string;
          try {
            ({ jobId } = submitToSlurm(sweepDir, tasks));
          } catch (err) {
            // Nothing was trained there: the folder made a moment ago goes, so a fixed command can reuse the name.
            fs.rmSync(sweepDir, { recursive: true, force: true });
            throw err;
          }
          if (opts.json) return printJsonSummary({ sweepDir, name, runs: runs.length, jobId });
          console.log(
            `submitted job array ${jobId} (${runs.length} tasks); platelab sweep status ${sweepDir}`,
          );
          return;
        }
        if (opts.dryRun) {
          if (opts.json) printJsonSummary({ sweepDir, name, runs: runs.length, submitted: false });
          return;
        }
        const results = await runLocalWithProgress(sweepDir, tasks, opts.backend);
        if (opts.json) return printJsonSummary({ sweepDir, name, runs: runs.length, results });
        for (const r of results)
          console.log(`${r.name}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
      }),
    );

  sweep
    .command('resubmit <sweepDir>')
    .description(
      'Submit again the runs that did not finish (cancelled, failed, pre-empted, timed out, lost); they resume from their checkpoints',
    )
    .option('--runs <list>', 'only these run numbers, e.g. 0,3')
    .option('--scheduler <slurm|local>', 'default: the one the sweep was submitted with')
    .option('--backend <name>', 'local: TensorFlow.js backend (default: auto)')
    .option('--json', 'print a one-line JSON summary as the last line')
    .action(
      (
        sweepDir: string,
        opts: { runs?: string; scheduler?: string; backend?: string; json?: boolean },
      ) =>
        runCommand('sweep resubmit', async () => {
          const m = readSweep(sweepDir);
          const status = sweepStatus(sweepDir, m);
          const allowed = new Set(resubmittableRuns(status));
          let tasks = [...allowed];
          if (opts.runs) {
            tasks = opts.runs.split(',').map((t) => positiveInt('--runs', t.trim(), 0));
            const bad = tasks.filter((t) => !allowed.has(t));
            if (bad.length)
              throw inputError(
                `--runs ${opts.runs}: run(s) ${bad.map((b) => `${b} (${status[b]?.state ?? 'no such run'})`).join(', ')} cannot be resubmitted`,
              );
          }
          if (tasks.length === 0) {
            if (opts.json) return printJsonSummary({ sweepDir, tasks });
            console.log('nothing to resubmit: every run is done, queued or running');
            return;
          }
          const scheduler =
            opts.scheduler ?? m.submissions.at(-1)?.scheduler ?? (m.slurm ? 'slurm' : 'local');
          if (scheduler === 'slurm') {
            if (!m.slurm)
              throw inputError(
                `${sweepDir}: has no Slurm settings; submit it with --scheduler slurm`,
              );
            writeBatchScript(sweepDir, m.slurm);
            const { jobId } = submitToSlurm(sweepDir, tasks);
            if (opts.json) return printJsonSummary({ sweepDir, tasks, jobId });
            console.log(`resubmitted run(s) ${tasks.join(',')} as job array ${jobId}`);
            return;
          }
          if (scheduler !== 'local')
            throw inputError(`--scheduler ${scheduler}: expected slurm or local`);
          const results = await runLocalWithProgress(sweepDir, tasks, opts.backend);
          if (opts.json) return printJsonSummary({ sweepDir, tasks, results });
          for (const r of results) console.log(`${r.name}: ${r.status}`);
        }),
    );

  sweep
    .command('status [sweepDirs...]')
    .description(
      "The sweeps' runs with their state (from Slurm) and metrics; cross-validation summary",
    )
    .option(
      '--data <dir>',
      'data folder whose sweeps/ to list (default: $PLATELAB_DATA or ~/.platelab)',
    )
    .option('--json', 'print a one-line JSON summary as the last line')
    .action((dirs: string[], opts: { data?: string; json?: boolean }) =>
      runCommand('sweep status', async () => {
        let sweepDirs = dirs;
        if (sweepDirs.length === 0) {
          const root = sweepsRootOf(opts.data);
          sweepDirs = listSweepDirs(root);
          if (sweepDirs.length === 0 && !opts.json) console.log(`no sweeps in ${root}`);
        }
        const out = sweepDirs.map((d) => {
          const m = readSweep(d);
          const runs = sweepStatus(d, m);
          return {
            sweepDir: path.resolve(d),
            name: m.name,
            runs,
            crossValidation: crossValidationSummary(runs),
          };
        });
        if (opts.json) return printJsonSummary({ sweeps: out });
        for (const s of out) {
          const counts = new Map<string, number>();
          for (const r of s.runs) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
          console.log(
            `\nsweep ${s.name} (${s.sweepDir}): ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}`,
          );
          console.log(statusTable(s.runs));
          for (const g of s.crossValidation) {
            const folds = g.folds.map((f) => `fold ${f.fold} ${pct(f.accuracy)}`).join(', ');
            console.log(
              `cross-validation ${g.label}: ${folds}; mean ${pct(g.mean)}${g.sd !== null ? ` ± ${(g.sd * 100).toFixed(1)} (sd over ${g.folds.length} folds)` : ''}`,
            );
          }
        }
      }),
    );

  sweep
    .command('cancel <sweepDir>')
    .description("Cancel the sweep's queued and running Slurm tasks (scancel)")
    .option('--runs <list>', 'only these run numbers, e.g. 0,3')
    .option('--json', 'print a one-line JSON summary as the last line')
    .action((sweepDir: string, opts: { runs?: string; json?: boolean }) =>
      runCommand('sweep cancel', async () => {
        const only = opts.runs?.split(',').map((t) => positiveInt('--runs', t.trim(), 0));
        const ids = cancelSweep(sweepDir, only);
        if (opts.json) return printJsonSummary({ sweepDir, cancelled: ids });
        console.log(
          ids.length ? `cancelled ${ids.join(' ')}` : 'no queued or running task to cancel',
        );
      }),
    );
}

/** Options of `platelab predict` that its ensemble branch uses. */
export interface EnsemblePredictOpts extends PredictCliOpts {
  runs?: string;
  sweep?: string;
  ensembleDir?: string;
  weightBy?: string;
  out: string;
  json?: boolean;
}

/**
 * `platelab predict --runs A,B,C | --sweep S`: the members' averaged probabilities as one stored
 * prediction set in an ensemble folder (default: S/ensemble), written as CSV like any prediction.
 */
export async function predictEnsembleCommand(opts: EnsemblePredictOpts): Promise<void> {
  if (opts.runs && opts.sweep) throw inputError('give --runs or --sweep, not both');
  const weighting = (opts.weightBy ?? 'equal') as EnsembleWeighting;
  if (weighting !== 'equal' && weighting !== 'val-accuracy')
    throw inputError(`--weight-by ${opts.weightBy}: expected equal or val-accuracy`);
  let runDirs: string[];
  let outDir = opts.ensembleDir;
  if (opts.sweep) {
    runDirs = doneSweepRunDirs(opts.sweep, readSweep(opts.sweep), Boolean(opts.allowIncomplete));
    outDir ??= path.join(opts.sweep, 'ensemble');
  } else {
    runDirs = opts
      .runs!.split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    if (!outDir)
      throw inputError('--runs needs --ensemble-dir <dir> (the ensemble folder to write)');
  }
  const bar = createProgress('predict');
  const r = await predictEnsemble({
    runDirs,
    outDir,
    weighting,
    ...predictOptionsFrom(opts, bar.update),
  }).finally(() => bar.stop());
  writePredictionsCsv(opts.out, r.set);
  const source = predictionSetInfo(r.set);
  const out = {
    out: opts.out,
    ensembleDir: path.resolve(outDir),
    source,
    members: r.members,
    split: opts.split,
    wells: r.set.wells.length,
    accuracy: r.accuracy,
    accuracyAssigned: r.accuracyAssigned,
    unscoredWells: scoredWells(r.set.wells, r.set.labels).unscored,
  };
  if (opts.json) return printJsonSummary(out);
  console.log(
    `${out.wells} wells predicted by an ensemble of ${r.members.length} runs → ${opts.out}`,
  );
  for (const m of r.members)
    console.log(`  ${m.runId}: weight ${m.weight.toFixed(3)}, best val ${pct(m.valAccuracy)}`);
  console.log(`prediction set: ${source.label} (platelab submit --run ${out.ensembleDir})`);
  if (r.accuracy !== null)
    console.log(
      `well accuracy ${pct(r.accuracy)}${r.accuracyAssigned !== null ? `, after assignment ${pct(r.accuracyAssigned)}` : ''}`,
    );
  const unscored = describeUnscored(out.unscoredWells);
  if (unscored) console.log(unscored);
}
