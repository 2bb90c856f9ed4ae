// Prediction and export calls. They wire the learning code's predict/assign/evaluate/submission
// modules; until those land each call answers UNAVAILABLE (as data) instead of failing the table.
import type { AppContext } from '../app/app-context';
import { runDirOf } from './run-reader';
import { unavailable } from './context-guards';
import type { HandlerGroup } from './handler-types';

type Names =
  | 'predict.start'
  | 'predictions.summary'
  | 'predictions.queue'
  | 'export.submission'
  | 'export.predictions'
  | 'export.platePng';

export function predictHandlers(ctx: AppContext): HandlerGroup<Names> {
  const known = (runId: string) => runDirOf(ctx.layout.runs, runId);
  return {
    'predict.start': ({ runId }) => {
      known(runId);
      throw unavailable('prediction');
    },
    'predictions.summary': ({ runId }) => {
      known(runId);
      return null;
    },
    'predictions.queue': ({ runId }) => {
      known(runId);
      return [];
    },
    'export.submission': ({ runId }) => {
      known(runId);
      throw unavailable('submission export');
    },
    'export.predictions': ({ runId }) => {
      known(runId);
      throw unavailable('predictions export');
    },
    'export.platePng': () => {
      throw unavailable('plate PNG export');
    },
  };
}
