// Small checks handlers share: the open dataset (or a clear error when there is none).
import { PlateLabError } from '../errors';
import type { AppContext, OpenDataset } from '../app/app-context';
import { datasetIdentity, type DatasetRef } from '../catalog/dataset-identity';

export function requireDataset(ctx: AppContext): OpenDataset {
  const ds = ctx.dataset;
  if (!ds)
    throw new PlateLabError(
      'CONFLICT',
      'no dataset is open: open a dataset folder or the demo first',
      { reason: 'no-dataset' },
    );
  return ds;
}

/** The open dataset's identity (id, digest, name, catalog), or null when none is open. */
export function openDatasetRef(ctx: AppContext): DatasetRef | null {
  const ds = ctx.dataset;
  return ds ? datasetIdentity(ds.db, ds.dbFile) : null;
}

/** Thrown by calls whose core module has not landed yet, so the UI shows why. */
export function unavailable(what: string): PlateLabError {
  return new PlateLabError('UNAVAILABLE', `${what} is not available in this build yet`);
}
