// Embedding view calls: a prediction set's well embeddings projected to 2-D (PCA on demand, UMAP
// as an 'embed' job) with the batch-vs-class organisation numbers (learn/embed).
import type { AppContext } from '../app/app-context';
import { PlateLabError } from '../errors';
import type { HandlerGroup } from './handler-types';

type Names = 'embedding.get' | 'embedding.umap';

export function embedHandlers(ctx: AppContext): HandlerGroup<Names> {
  void ctx;
  return {
    'embedding.get': () => {
      throw new PlateLabError('UNAVAILABLE', 'the embedding view is not built yet');
    },
    'embedding.umap': () => {
      throw new PlateLabError('UNAVAILABLE', 'the embedding view is not built yet');
    },
  };
}
