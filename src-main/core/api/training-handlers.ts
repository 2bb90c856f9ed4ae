// Training calls: defaults for the current backend, a dry-run validation (split sizes, classes,
// warnings), start/resume as a 'train' job that relays live metrics, cancel, and the runs list.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describeCoverage } from '../../../src-shared/class-coverage';
import type { TrainConfig } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { pipelineJobSettings } from '../app/settings';
import { inputError, PlateLabError, type ErrorCode } from '../errors';
import { stepProgress } from '../jobs/job-manager';
import { defaultConfigFor, parseTrainConfig } from '../learn/config/default-config';
import { loadSiteRows } from '../learn/data/site-rows';
import { reviewExclusions } from '../catalog/review-decisions';
import { trainingSet, withoutExcludedWells } from '../learn/train/run-setup';
import type { TrainingHandle } from '../learn/train/start-training';
import type { TrainJob } from '../learn/train/messages';
import type { BackendInfo } from './app-handlers';
import { openDatasetRef, requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import { listRuns, readRunMetrics } from '../learn/runs/list-runs';
import { readRunInfo } from '../learn/runs/run-folder';
import { idStamp, runDirOf } from './run-dir';

/** Starts the training child: node's fork in serve mode, Electron's utilityProcess on the desktop. */
export type TrainingLauncher = (job: TrainJob) => TrainingHandle;

function newRunId(): string {
  return `run-${idStamp()}-${randomBytes(2).toString('hex')}`;
}

type Names =
  | 'training.defaults'
  | 'training.validate'
  | 'training.start'
  | 'training.cancel'
  | 'training.resume'
  | 'runs.list'
  | 'runs.metrics';

export function trainingHandlers(
  ctx: AppContext,
  backend: () => Promise<BackendInfo>,
  launch: TrainingLauncher,
): HandlerGroup<Names> {
  /** runId → jobId of the runs this process is training now. */
  const live = new Map<string, string>();

  const runJob = (runId: string, title: string, job: TrainJob): string => {
    const started = ctx.jobs.start('train', title, async (jc) => {
      const handle = launch(job);
      const onAbort = () => handle.cancel();
      jc.signal.addEventListener('abort', onAbort);
      let epochs = job.config?.epochs ?? 1;
      let stepsPerEpoch = 1;
      const progress = stepProgress(jc);
      handle.events.on('started', (info) => {
        epochs = info.epochs;
        stepsPerEpoch = Math.max(1, info.stepsPerEpoch);
        const coverage = describeCoverage(info.classCoverage);
        jc.progress(
          info.startEpoch / Math.max(1, epochs),
          `training on ${info.backend}: ${info.trainWells} train / ${info.valWells} val wells, ${info.classes} classes${coverage ? `; ${coverage}` : ''}`,
        );
      });
      handle.events.on('step', (step) => {
        ctx.events.emit('training:metrics', { runId, step });
        progress(
          step.step,
          epochs * stepsPerEpoch,
          `epoch ${step.epoch + 1}/${epochs}, loss ${step.loss.toFixed(3)}`,
        );
      });
      handle.events.on('epoch', (epoch) => {
        ctx.events.emit('training:metrics', { runId, epoch });
        const acc =
          epoch.valAccuracy === null ? '' : `, val acc ${(epoch.valAccuracy * 100).toFixed(1)}%`;
        jc.progress((epoch.epoch + 1) / epochs, `epoch ${epoch.epoch + 1}/${epochs} done${acc}`);
      });
      try {
        const summary = await handle.done;
        if (summary.status === 'failed') {
          // Keep the child's error code (bad input vs. crash) so the UI can tell them apart.
          const code = (summary.errorCode ?? 'INTERNAL') as ErrorCode;
          throw new PlateLabError(code, summary.error ?? 'training failed', { runId });
        }
        if (summary.status === 'cancelled')
          throw new PlateLabError(
            'CANCELLED',
            'training cancelled (checkpoint kept; resume to continue)',
          );
        return summary;
      } finally {
        jc.signal.removeEventListener('abort', onAbort);
        live.delete(runId);
      }
    });
    live.set(runId, started.id);
    return started.id;
  };

  const refuseSecondRun = () => {
    const busy = ctx.jobs.running('train')[0];
    if (busy)
      throw new PlateLabError(
        'CONFLICT',
        `"${busy.title}" is still running; one training run at a time`,
        { jobId: busy.id },
      );
  };

  return {
    'training.defaults': async () => defaultConfigFor((await backend()).name),
    'training.validate': ({ config }) => {
      const ds = requireDataset(ctx);
      const checked = parseTrainConfig(config, 'training config');
      // The same rows, classes and split as the run set-up (excluded wells dropped after the split).
      const excludedIds = new Set(reviewExclusions(ds.db).excluded.map((d) => d.idCode));
      const all = loadSiteRows(ds.db, 'train');
      const set = trainingSet(
        all,
        checked,
        checked.useReviewExclusions === false ? null : excludedIds,
      );
      const { classes } = set;
      const warnings: string[] = [];
      const left = describeCoverage(classes.coverage);
      if (classes.labels.length < 2)
        warnings.push(
          `only ${classes.labels.length} class(es) for target "${checked.target}": need at least 2` +
            (left ? ` (class coverage ${left})` : ''),
        );
      const split = classes.labels.length ? set.split : null;
      if (split) warnings.push(...split.warnings);
      return {
        warnings,
        trainWells: split?.train.length ?? 0,
        valWells: split?.val.length ?? 0,
        classes: classes.labels.length,
        // How many wells review excludes, whether or not this config applies it (the form's switch).
        reviewExcluded: withoutExcludedWells(all, excludedIds).excludedWells,
        // What this config's class coverage leaves out (the same list the run would record).
        classCoverage: classes.coverage,
      };
    },
    'training.start': ({ config }) => {
      const ds = requireDataset(ctx);
      const checked: TrainConfig = parseTrainConfig(config, 'training config');
      refuseSecondRun();
      const runId = newRunId();
      const runDir = path.join(ctx.layout.runs, runId);
      const jobId = runJob(runId, `Train ${checked.arch} (${runId})`, {
        dbFile: ds.dbFile,
        runDir,
        config: checked,
        ...pipelineJobSettings(ctx.settings),
      });
      return { runId, jobId };
    },
    'training.resume': ({ runId }) => {
      const dir = runDirOf(ctx.layout.runs, runId);
      if (live.has(runId)) throw new PlateLabError('CONFLICT', `run ${runId} is already training`);
      refuseSecondRun();
      const info = readRunInfo(dir);
      if (!info.dbFile || !fs.existsSync(info.dbFile))
        throw inputError(`run ${runId}: its catalog ${info.dbFile ?? '(unknown)'} is gone`);
      return {
        jobId: runJob(runId, `Resume ${runId}`, {
          dbFile: info.dbFile,
          runDir: dir,
          resume: true,
          ...pipelineJobSettings(ctx.settings),
        }),
      };
    },
    'training.cancel': ({ runId }) => {
      const jobId = live.get(runId);
      if (!jobId) throw new PlateLabError('NOT_FOUND', `run ${runId} is not training`, { runId });
      ctx.jobs.cancel(jobId);
      return {};
    },
    // The open dataset's runs (also when re-indexed since); every run with allDatasets or none open.
    'runs.list': ({ allDatasets }) => {
      const runs = listRuns(ctx.layout.runs, openDatasetRef(ctx));
      return allDatasets
        ? runs
        : runs.filter(
            (r) =>
              r.datasetMatch === null || r.datasetMatch === 'same' || r.datasetMatch === 'changed',
          );
    },
    // A run this process just started has no folder until its child writes run.json: no metrics yet.
    'runs.metrics': ({ runId }) =>
      live.has(runId) && !fs.existsSync(path.join(ctx.layout.runs, runId, 'run.json'))
        ? { steps: [], epochs: [] }
        : readRunMetrics(runDirOf(ctx.layout.runs, runId)),
  };
}
