// The full handler table: one function per contract call, built from the per-area groups. Both
// transports (HTTP/WebSocket and Electron IPC) dispatch into this same table.
import type { AppContext } from '../app/app-context';
import { startTraining } from '../learn/train/start-training';
import { appHandlers, backendProbe, type BackendInfo } from './app-handlers';
import { datasetHandlers } from './dataset-handlers';
import { embedHandlers } from './embed-handlers';
import type { Handlers } from './handler-types';
import { imageHandlers } from './image-handlers';
import { plateHandlers } from './plate-handlers';
import { predictHandlers } from './predict-handlers';
import { reviewHandlers } from './review-handlers';
import { saliencyHandlers } from './saliency-handlers';
import { sweepHandlers } from './sweep-handlers';
import { trainingHandlers, type TrainingLauncher } from './training-handlers';
import { childPredictLauncher, type PredictLauncher } from '../learn/predict/predict-in-child';
import type { SaliencyLauncher } from '../learn/explain/saliency-task';

export interface HandlerOptions {
  /** Compute backend description (default: pick it with selectBackend, once). */
  backend?: () => Promise<BackendInfo>;
  /** Starts a training child (default: node fork; Electron passes its utilityProcess launcher). */
  launchTraining?: TrainingLauncher;
  /** Starts a prediction child (default: node fork; Electron passes a utilityProcess spawner). */
  launchPrediction?: PredictLauncher;
  /** Computes a saliency map in the prediction child (default: node fork; Electron: utilityProcess). */
  launchSaliency?: SaliencyLauncher;
}

export function createHandlers(ctx: AppContext, opts: HandlerOptions = {}): Handlers {
  const backend = opts.backend ?? backendProbe();
  const launchPrediction = opts.launchPrediction ?? childPredictLauncher();
  return {
    ...appHandlers(ctx, backend),
    ...datasetHandlers(ctx),
    ...plateHandlers(ctx),
    ...imageHandlers(ctx),
    ...trainingHandlers(ctx, backend, opts.launchTraining ?? startTraining),
    ...predictHandlers(ctx, launchPrediction),
    ...sweepHandlers(ctx, opts.launchTraining ?? startTraining, launchPrediction, backend),
    ...reviewHandlers(ctx),
    ...saliencyHandlers(ctx, opts.launchSaliency),
    ...embedHandlers(ctx),
  };
}
