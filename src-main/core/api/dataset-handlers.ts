// Dataset calls: open a folder / the demo / reindex (as jobs), the summary and the problems list.
import type { CallOutput } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { startOpenDataset, startOpenDemo, startReindex } from '../app/dataset-jobs';
import { datasetSummary, listProblems } from '../catalog/queries';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';

type Names =
  | 'dataset.open'
  | 'dataset.openDemo'
  | 'dataset.reindex'
  | 'dataset.summary'
  | 'dataset.problems';

export function datasetHandlers(ctx: AppContext): HandlerGroup<Names> {
  return {
    'dataset.open': ({ root }) => ({ jobId: startOpenDataset(ctx, root).id }),
    'dataset.openDemo': () => ({ jobId: startOpenDemo(ctx).id }),
    'dataset.reindex': () => ({ jobId: startReindex(ctx).id }),
    'dataset.summary': (): CallOutput<'dataset.summary'> => {
      const ds = ctx.dataset;
      if (!ds) return null;
      const s = datasetSummary(ds.db);
      return {
        root: ds.root,
        db: ds.dbFile,
        format: s.format,
        indexedAt: s.indexedAt,
        counts: s.counts,
        plates: s.plates.map((p) => ({
          experiment: p.experiment,
          split: p.split,
          cellType: p.cellType,
          plate: p.plate,
          wells: p.wells,
          sites: p.sites,
        })),
      };
    },
    'dataset.problems': ({ kind, search, offset, limit }) => {
      const ds = requireDataset(ctx);
      const r = listProblems(ds.db, { kind, search, offset, limit });
      return {
        total: r.total,
        kinds: r.kinds,
        items: r.items.map(({ kind: k, path, message }) => ({ kind: k, path, message })),
      };
    },
  };
}
