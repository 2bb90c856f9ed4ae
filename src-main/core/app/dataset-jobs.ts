// Opening datasets as jobs: index a folder into its catalog and open it, reindex the open one, or
// generate + index + open the demo dataset on first start. Indexing runs on a worker thread so the
// process stays responsive; progress flows through the JobManager.
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '../../../src-shared/contract';
import type { IndexResult } from '../catalog/indexer';
import { indexInWorker } from '../catalog/indexer/index-in-worker';
import { generateSynthDataset } from '../dataset/synth';
import { inputError, PlateLabError, throwIfCancelled } from '../errors';
import { stepProgress, type JobContext } from '../jobs/job-manager';
import type { AppContext } from './app-context';

/** Tables an index run may change; sent with `catalog:changed` so the UI refreshes them. */
export const INDEX_TABLES = [
  'meta',
  'experiments',
  'plates',
  'wells',
  'sites',
  'images',
  'pixel_stats',
  'problems',
];

/** Marker written last into a generated demo folder: its absence means an interrupted generation. */
const DEMO_MARKER = '.platelab-demo-complete';

export interface OpenedDataset {
  root: string;
  db: string;
  format: string;
  counts: Pick<IndexResult, 'experiments' | 'plates' | 'wells' | 'sites' | 'images' | 'problems'>;
  seconds: number;
}

function checkFolder(root: string): string {
  const abs = path.resolve(root);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw inputError(`dataset folder ${abs} does not exist`, { path: abs });
  }
  if (!st.isDirectory()) throw inputError(`${abs} is not a folder`, { path: abs });
  return abs;
}

function refuseConcurrentIndex(ctx: AppContext): void {
  const busy = ctx.jobs
    .list()
    .find((j) => j.status === 'running' && (j.kind === 'index' || j.kind === 'synth'));
  if (busy)
    throw new PlateLabError(
      'CONFLICT',
      `"${busy.title}" is still running; wait for it or cancel it first`,
      { jobId: busy.id },
    );
}

async function indexAndOpen(
  ctx: AppContext,
  job: JobContext,
  root: string,
  from: number,
): Promise<OpenedDataset> {
  const dbFile = ctx.catalogFileFor(root);
  // The indexer (on its worker thread) uses its own connection; WAL lets the open one keep reading.
  const result = await indexInWorker({
    root,
    dbFile,
    signal: job.signal,
    onProgress: stepProgress(job, from, 1),
  });
  throwIfCancelled(job.signal);
  const opened = ctx.setDataset(root, dbFile);
  ctx.events.emit('catalog:changed', { tables: INDEX_TABLES });
  const { experiments, plates, wells, sites, images, problems } = result;
  return {
    root: opened.root,
    db: dbFile,
    format: opened.format,
    counts: { experiments, plates, wells, sites, images, problems },
    seconds: result.seconds,
  };
}

/** `dataset.open`: checks the folder now (a bad path is an immediate error), then indexes as a job. */
export function startOpenDataset(ctx: AppContext, root: string): Job {
  const abs = checkFolder(root);
  refuseConcurrentIndex(ctx);
  return ctx.jobs.start('index', `Index ${path.basename(abs)}`, (job) =>
    indexAndOpen(ctx, job, abs, 0),
  );
}

/** `dataset.reindex`: reindexes the open dataset (incremental: unchanged plates are skipped). */
export function startReindex(ctx: AppContext): Job {
  const open = ctx.dataset;
  if (!open) throw new PlateLabError('CONFLICT', 'no dataset is open; open one first');
  checkFolder(open.root);
  refuseConcurrentIndex(ctx);
  return ctx.jobs.start('index', `Reindex ${path.basename(open.root)}`, (job) =>
    indexAndOpen(ctx, job, open.root, 0),
  );
}

export function demoExists(ctx: AppContext): boolean {
  return fs.existsSync(path.join(ctx.layout.demo, DEMO_MARKER));
}

/**
 * `dataset.openDemo`: generates the demo dataset into the data folder when it is not there yet
 * (into a temp folder renamed at the end, so an interrupted run never leaves a half dataset),
 * then indexes and opens it.
 */
export function startOpenDemo(ctx: AppContext): Job {
  refuseConcurrentIndex(ctx);
  const demo = ctx.layout.demo;
  if (demoExists(ctx)) {
    return ctx.jobs.start('index', 'Open the demo dataset', (job) =>
      indexAndOpen(ctx, job, demo, 0),
    );
  }
  return ctx.jobs.start('synth', 'Generate the demo dataset', async (job) => {
    const tmp = `${demo}.partial-${process.pid}-${Date.now()}`;
    try {
      job.progress(0, 'generating the demo dataset');
      await generateSynthDataset({
        preset: ctx.demoPreset,
        outDir: tmp,
        seed: 1,
        signal: job.signal,
        onProgress: stepProgress(job, 0, 0.8),
      });
      throwIfCancelled(job.signal);
      fs.writeFileSync(path.join(tmp, DEMO_MARKER), new Date().toISOString() + '\n');
      fs.rmSync(demo, { recursive: true, force: true });
      fs.renameSync(tmp, demo);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return indexAndOpen(ctx, job, demo, 0.8);
  });
}
