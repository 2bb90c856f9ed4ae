// Sweep calls: plan a grid × seeds × folds sweep (no side effects; the Slurm batch script shown
// before submitting), submit it (locally as one 'train' job through the training child, or as a
// Slurm job array), the sweeps with their runs' states and CV summary, cancel, and an ensemble of
// several runs or a sweep as a 'predict' job in the prediction child, stored as a run folder the
// Predictions screen reads.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CallArgs, CallOutput, SlurmResources } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { pipelineJobSettings, withClusterFields } from '../app/settings';
import { inputError, notFound, PlateLabError } from '../errors';
import { stepProgress } from '../jobs/job-manager';
import {
  parseGridAxis,
  planSweep,
  trainingExperiments,
  type PlannedRun,
} from '../learn/sweep/plan';
import { batchScript } from '../learn/sweep/slurm';
import { crossValidationSummary, doneSweepRunDirs, sweepStatus } from '../learn/sweep/status';
import { cancelSweep, runLocally, submitToSlurm, writeBatchScript } from '../learn/sweep/submit';
import {
  checkSweepName,
  createSweepFolder,
  listSweepDirs,
  newSweepManifest,
  readSweep,
  sweepsRoot,
  type SweepManifest,
} from '../learn/sweep/sweep-folder';
import type { BackendInfo } from './app-handlers';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import { idStamp, runDirOf } from './run-dir';
import type { TrainingLauncher } from './training-handlers';
import type { PredictLauncher } from '../learn/predict/predict-in-child';

type Names =
  | 'sweeps.plan'
  | 'sweeps.submit'
  | 'sweeps.list'
  | 'sweeps.status'
  | 'sweeps.cancel'
  | 'sweeps.clusterDefaults'
  | 'predict.ensemble';

type SpecArgs = Pick<CallArgs<'sweeps.plan'>, 'base' | 'grid' | 'seeds' | 'folds'>;

/** Tables an ensemble writes (its stored set); sent with catalog:changed so plate maps refresh. */
const PREDICTION_TABLES = ['learn_prediction_sets', 'learn_well_predictions', 'learn_well_topk'];

/** `launch`: starts a training child; `predict`: runs a prediction (here: an ensemble) in a child. */
export function sweepHandlers(
  ctx: AppContext,
  launch: TrainingLauncher,
  predict: PredictLauncher,
  backend: () => Promise<BackendInfo>,
): HandlerGroup<Names> {
  /** sweep name → id of the job training it locally now. */
  const live = new Map<string, string>();
  const root = () => sweepsRoot(ctx.layout.root);

  /** The plan on the open dataset: the same parsing and checks as `platelab sweep plan`. */
  const plan = (a: SpecArgs): PlannedRun[] => {
    const ds = requireDataset(ctx);
    const grid = a.grid.map((g) => parseGridAxis(`${g.key}=${g.values.join(',')}`));
    const folds = a.folds === null ? null : { by: 'experiment' as const, k: a.folds };
    return planSweep(
      { base: a.base, grid, seeds: a.seeds, folds },
      folds ? trainingExperiments(ds.db) : [],
    );
  };
  const head = (a: SpecArgs, name: string, slurm: SlurmResources | null) => ({
    name,
    dbFile: requireDataset(ctx).dbFile,
    grid: a.grid.map((g) => ({ key: g.key, values: g.values })),
    seeds: a.seeds,
    folds: a.folds === null ? null : { by: 'experiment' as const, k: a.folds },
    slurm,
  });
  const sweepDirOf = (name: string): string => {
    const dir = path.join(root(), checkSweepName(name));
    if (!fs.existsSync(path.join(dir, 'sweep.json'))) throw notFound(`no sweep ${name}`);
    return dir;
  };

  const summary = (dir: string): CallOutput<'sweeps.status'> => {
    const m: SweepManifest = readSweep(dir);
    let runs: CallOutput<'sweeps.status'>['runs'];
    let error: string | null = null;
    try {
      runs = sweepStatus(dir, m);
    } catch (err) {
      // Slurm's word is missing (commands absent or failing): say so, never guess the states.
      error = err instanceof Error ? err.message : String(err);
      runs = m.runs.map((r) => ({
        index: r.index,
        name: r.name,
        runDir: path.join(dir, 'runs', r.name),
        settings: r.settings,
        seed: r.seed,
        fold: r.fold,
        state: 'unknown' as const,
        detail: `state unknown: ${error}`,
        slurmTask: null,
        epochsDone: 0,
        epochs: null,
        bestValAccuracy: null,
        lastValAccuracy: null,
      }));
    }
    return {
      name: m.name,
      sweepDir: dir,
      createdAt: m.createdAt,
      scheduler: m.submissions.at(-1)?.scheduler ?? null,
      runs,
      crossValidation: crossValidationSummary(runs),
      error,
      jobId: live.get(m.name) ?? null,
    };
  };

  return {
    'sweeps.plan': (a) => {
      const runs = plan(a);
      const name = checkSweepName(a.name ?? `sweep-${idStamp()}`);
      const sweepDir = path.join(root(), name);
      const script = a.slurm
        ? batchScript(sweepDir, newSweepManifest(head(a, name, a.slurm), runs), a.slurm)
        : null;
      return {
        runs: runs.map(({ config: _config, ...r }) => r),
        count: runs.length,
        sweepDir,
        script,
      };
    },
    'sweeps.submit': async (a) => {
      const runs = plan(a);
      const name = checkSweepName(a.name);
      const sweepDir = path.join(root(), name);
      if (a.scheduler === 'slurm' && !a.slurm)
        throw inputError('sweeps.submit: scheduler slurm needs the slurm fields');
      const res = a.scheduler === 'slurm' ? a.slurm! : null;
      if (!res) {
        const busy = ctx.jobs.running('train')[0];
        if (busy)
          throw new PlateLabError(
            'CONFLICT',
            `"${busy.title}" is still running; one training at a time`,
            { jobId: busy.id },
          );
      }
      createSweepFolder(sweepDir, head(a, name, res), runs);
      const tasks = runs.map((r) => r.index);
      if (res) {
        const ds = requireDataset(ctx);
        ctx.updateSettings((s) => withClusterFields(s, ds.root, res));
        writeBatchScript(sweepDir, res);
        try {
          const { jobId } = submitToSlurm(sweepDir, tasks);
          return { name, sweepDir, runs: runs.length, jobId: null, slurmJobId: jobId };
        } catch (err) {
          // Nothing trained there yet: the folder goes, so the same name can be submitted again.
          fs.rmSync(sweepDir, { recursive: true, force: true });
          throw err;
        }
      }
      const backendName = (await backend()).name;
      const job = ctx.jobs.start('train', `Sweep ${name} (${runs.length} runs)`, async (jc) => {
        const progress = stepProgress(jc);
        let done = 0;
        try {
          const results = await runLocally(sweepDir, tasks, {
            backend: backendName,
            signal: jc.signal,
            launch,
            job: pipelineJobSettings(ctx.settings),
            onRun(run, handle) {
              let total = 1;
              handle.events.on('started', (i) => (total = Math.max(1, i.epochs * i.stepsPerEpoch)));
              handle.events.on('step', (st) =>
                progress(
                  done * total + Math.min(st.step, total),
                  runs.length * total,
                  `run ${run.index + 1}/${runs.length} ${run.name}: epoch ${st.epoch + 1}, loss ${st.loss.toFixed(3)}`,
                ),
              );
              void handle.done.finally(() => done++);
            },
          });
          const bad = results.find((r) => r.status !== 'done');
          if (bad?.status === 'cancelled' || jc.signal.aborted)
            throw new PlateLabError('CANCELLED', `sweep ${name} cancelled (checkpoints kept)`);
          if (bad)
            throw new PlateLabError(
              'INTERNAL',
              `sweep ${name}: run ${bad.name} ${bad.status}: ${bad.error ?? ''}`,
            );
          return { name, results };
        } finally {
          live.delete(name);
        }
      });
      live.set(name, job.id);
      return { name, sweepDir, runs: runs.length, jobId: job.id, slurmJobId: null };
    },
    'sweeps.list': () =>
      listSweepDirs(root())
        .map(summary)
        .sort((x, y) => y.createdAt.localeCompare(x.createdAt)),
    'sweeps.status': ({ name }) => summary(sweepDirOf(name)),
    'sweeps.cancel': ({ name }) => {
      const dir = sweepDirOf(name);
      const jobId = live.get(name);
      if (jobId) {
        ctx.jobs.cancel(jobId);
        return { cancelled: [jobId] };
      }
      return { cancelled: cancelSweep(dir) };
    },
    'sweeps.clusterDefaults': () => {
      const ds = ctx.dataset;
      return (ds && ctx.settings.clusterByDataset[ds.root]) ?? null;
    },
    'predict.ensemble': async (a) => {
      const ds = requireDataset(ctx);
      if (Boolean(a.runIds?.length) === Boolean(a.sweep))
        throw inputError('predict.ensemble: give runIds or a sweep, not both or neither');
      const runDirs = a.sweep
        ? doneSweepRunDirs(sweepDirOf(a.sweep), readSweep(sweepDirOf(a.sweep)), a.allowIncomplete)
        : a.runIds!.map((id) => runDirOf(ctx.layout.runs, id));
      if (runDirs.length < 2)
        throw inputError(`an ensemble needs at least 2 done runs, got ${runDirs.length}`);
      const runId = a.sweep
        ? `${a.sweep}-ensemble`
        : `ensemble-${idStamp()}-${randomBytes(2).toString('hex')}`;
      const busy = ctx.jobs.running('predict')[0];
      if (busy)
        throw new PlateLabError('CONFLICT', `"${busy.title}" is still running`, { jobId: busy.id });
      // In the prediction child, as predict.start: TensorFlow.js never runs on this process.
      const job = ctx.jobs.start(
        'predict',
        `Ensemble of ${runDirs.length} runs → ${runId}`,
        async (jc) => {
          const r = await predict(
            {
              runDir: path.join(ctx.layout.runs, runId),
              ensemble: { runDirs, weighting: a.weighting },
              split: a.split,
              tta: a.tta,
              assign: a.assign,
              dbFile: ds.dbFile,
              allowOtherDataset: a.allowOtherDataset,
              allowIncomplete: a.allowIncomplete,
            },
            { signal: jc.signal, onProgress: stepProgress(jc) },
          );
          ctx.events.emit('catalog:changed', { tables: PREDICTION_TABLES });
          return { runId, ...r };
        },
      );
      return { jobId: job.id, runId };
    },
  };
}
