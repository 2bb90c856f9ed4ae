// The embedding view's long work as an off-thread task (entries.ts 'embed-worker', a worker
// thread through the child-task mechanism): a set's organisation numbers and, when asked, its UMAP
// projection, both written to the set's caches (embedding-view.ts) for embedding.get to read.
import type { EmbeddingOrganisation, PredictionSplit } from '../../../../src-shared/contract';
import type { DatasetRef } from '../../catalog/dataset-identity';
import type { TaskControl } from '../../jobs/child-task-protocol';
import { openSetEmbedding, organisationOf, umapOf } from './embedding-view';

export interface EmbedTaskInput {
  runDir: string;
  split: PredictionSplit;
  /** The dataset the set was made on (omitted: the run's own set). */
  dataset?: DatasetRef;
  /** Also compute (or find cached) the UMAP projection. */
  umap: boolean;
  k?: number;
}

export interface EmbedTaskResult {
  wells: number;
  /** The embedding's SHA-256 the caches were written for. */
  embeddingSha256: string;
  organisation: EmbeddingOrganisation;
  umap: boolean;
}

/** Maps a sub-step's (done, total) onto [from, to] of the task's progress (as a fraction of 1). */
function part(
  onProgress: TaskControl['onProgress'],
  from: number,
  to: number,
  message?: string,
): (done: number, total: number, msg?: string) => void {
  return (done, total, msg) =>
    onProgress(from + (to - from) * (total > 0 ? done / total : 0), 1, msg ?? message);
}

/** Organisation numbers (first half of the progress when UMAP runs too), then UMAP; both cached. */
export async function embedTask(input: EmbedTaskInput, ctl: TaskControl): Promise<EmbedTaskResult> {
  const e = openSetEmbedding(input.runDir, input.split, input.dataset);
  const orgShare = input.umap ? 0.3 : 1;
  const organisation = await organisationOf(e, {
    k: input.k,
    signal: ctl.signal,
    onProgress: part(ctl.onProgress, 0, orgShare, 'neighbour numbers'),
  });
  if (input.umap)
    await umapOf(e, {
      signal: ctl.signal,
      onProgress: part(ctl.onProgress, orgShare, 1),
    });
  return { wells: e.set.wells.length, embeddingSha256: e.sha256, organisation, umap: input.umap };
}
