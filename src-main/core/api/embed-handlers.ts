// Embedding view calls: a prediction set's well embeddings projected to 2-D (PCA on demand, UMAP
// as an 'embed' job on a worker thread) with the batch-vs-class organisation numbers (learn/embed;
// a large set's are estimated on a sample until the job has computed them all).
import type { EmbeddingView, PredictionSplit } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { datasetIdentity } from '../catalog/dataset-identity';
import { stepProgress } from '../jobs/job-manager';
import { embedInWorker } from '../learn/embed/embed-in-worker';
import {
  cachedOrganisation,
  cachedUmap,
  embeddingView,
  openSetEmbedding,
  organisationEstimate,
  organisationOf,
  pcaOf,
} from '../learn/embed/embedding-view';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import { runDirOf } from './run-dir';

type Names = 'embedding.get' | 'embedding.umap';

/** Sent with catalog:changed when a UMAP projection has been cached. */
export const EMBEDDING_TABLES = ['embeddings'];

/**
 * Up to this many wells the neighbour numbers of the whole set are computed in the call itself
 * (n² · dims: about 1 s for 1,000 wells of 256 dims on a loaded 2-core machine, 9 s for 2,500);
 * a larger set gets them estimated on a random 1,000 of its wells until the 'embed' job (UMAP)
 * has computed and cached the whole set's.
 */
export const INLINE_ORGANISATION_WELLS = 1000;

export interface EmbedHandlerOptions {
  /** Tests lower it to take the estimate path on a small set. */
  inlineOrganisationWells?: number;
}

export function embedHandlers(
  ctx: AppContext,
  opts: EmbedHandlerOptions = {},
): HandlerGroup<Names> {
  const inlineWells = opts.inlineOrganisationWells ?? INLINE_ORGANISATION_WELLS;
  /** The running UMAP job of each (run, split). */
  const umapJobs = new Map<string, string>();
  const key = (runId: string, split: PredictionSplit): string => `${runId}\u0000${split}`;
  const runningJob = (runId: string, split: PredictionSplit): string | undefined => {
    const id = umapJobs.get(key(runId, split));
    return id && ctx.jobs.running('embed').some((j) => j.id === id) ? id : undefined;
  };
  const open = (runId: string, split: PredictionSplit) => {
    const ds = requireDataset(ctx);
    const dataset = datasetIdentity(ds.db, ds.dbFile);
    const runDir = runDirOf(ctx.layout.runs, runId);
    return { e: openSetEmbedding(runDir, split, dataset), dataset, runDir };
  };

  return {
    'embedding.get': async ({ runId, split, projection }): Promise<EmbeddingView> => {
      const { e } = open(runId, split);
      const organisation =
        cachedOrganisation(e) ??
        (e.set.wells.length <= inlineWells
          ? await organisationOf(e)
          : await organisationEstimate(e, inlineWells));
      const umapPoints = cachedUmap(e);
      const umap: EmbeddingView['umap'] = umapPoints
        ? { state: 'ready' }
        : ((id) => (id ? { state: 'running', jobId: id } : { state: 'missing' }))(
            runningJob(runId, split),
          );
      const useUmap = projection === 'umap' && umapPoints !== null;
      return embeddingView(
        e,
        useUmap ? 'umap' : 'pca',
        useUmap ? umapPoints : pcaOf(e),
        organisation,
        umap,
      );
    },
    'embedding.umap': ({ runId, split }) => {
      const running = runningJob(runId, split);
      if (running) return { jobId: running };
      // Refused here (no set, no embedding) rather than as a failed job.
      const { dataset, runDir } = open(runId, split);
      const job = ctx.jobs.start('embed', `UMAP of ${runId}'s ${split} embeddings`, async (jc) => {
        const r = await embedInWorker(
          { runDir, split, dataset, umap: true },
          { signal: jc.signal, onProgress: stepProgress(jc) },
        );
        ctx.events.emit('catalog:changed', { tables: EMBEDDING_TABLES });
        return { wells: r.wells, organisation: r.organisation };
      });
      umapJobs.set(key(runId, split), job.id);
      return { jobId: job.id };
    },
  };
}
