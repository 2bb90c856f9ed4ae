// Small checks handlers share: the open dataset (or a clear error when there is none).
import { PlateLabError } from '../errors';
import type { AppContext, OpenDataset } from '../app/app-context';

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

/** Thrown by calls whose core module has not landed yet, so the UI shows why. */
export function unavailable(what: string): PlateLabError {
  return new PlateLabError('UNAVAILABLE', `${what} is not available in this build yet`);
}
