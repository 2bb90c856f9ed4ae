// The epoch loop: per epoch the training steps from the data stream (one optimiser step each, with
// per-step metrics), then validation; cancellation is checked after every step. What happens with
// the metrics and when to checkpoint is the caller's, through explicit callbacks.
import type { TrainConfig } from '../../../../src-shared/contract';
import type { TrainStream } from '../data/train-stream';
import { rngFor, RngPurpose } from '../../util/rng';
import type { CheckpointState } from './checkpoint';
import { divergedError } from './divergence';
import type { EpochMetric, StepMetric } from './messages';
import { learningRateAt } from './schedule';
import { trainStep, type StepContext } from './step';
import { evaluateSamples } from './validation';
import { yieldToEventLoop } from './yield';

export interface EpochLoopOptions {
  config: TrainConfig;
  ctx: StepContext;
  stream: TrainStream;
  stepsPerEpoch: number;
  /** Validation samples per epoch (0 = no validation). */
  valSamples: number;
  /** Where to start; advanced in place (epoch, stepInEpoch, globalStep) as training goes. */
  state: CheckpointState;
}

export interface EpochLoopCallbacks {
  /** After every step, its metric (already counted in `state`). */
  onStep(metric: StepMetric): void | Promise<void>;
  /**
   * After each epoch's validation (`state` already at the next epoch), with the epoch's metric;
   * `valAccuracy` null without validation. Checkpointing and bookkeeping go here.
   */
  onEpochEnd(metric: EpochMetric, valAccuracy: number | null): Promise<void>;
  /** Cancelled in the middle of an epoch (`state` at the next step to take), at learning rate lr. */
  onCancelledMidEpoch(lr: number): Promise<void>;
  isCancelled(): boolean;
}

/**
 * Trains from `state` to `config.epochs` (or a cancel). Returns whether it was cancelled and the
 * last finished epoch's training throughput (images/s; null when none finished). Errors:
 * DIVERGED when a loss becomes NaN/Inf; an out-of-order stream is a bug (Error).
 */
export async function runEpochs(
  o: EpochLoopOptions,
  cb: EpochLoopCallbacks,
): Promise<{ cancelled: boolean; imagesPerSecond: number | null }> {
  const { config, ctx, stream, stepsPerEpoch, state } = o;
  const epochSeconds: number[] = [];
  let imagesPerSecond: number | null = null;
  let lr = 0;
  while (state.epoch < config.epochs) {
    const epoch = state.epoch;
    const t0 = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    while (state.stepInEpoch < stepsPerEpoch) {
      const k = state.stepInEpoch;
      const ts = performance.now();
      const item = await stream.next();
      if (item.kind !== 'train' || item.epoch !== epoch || item.step !== k)
        throw new Error(
          `training data stream is out of order at epoch ${epoch + 1}, step ${k + 1}`,
        );
      lr = learningRateAt(config, epoch, k, stepsPerEpoch);
      const r = await trainStep(
        ctx,
        item.batch,
        lr,
        rngFor(config.seed, RngPurpose.mixup, epoch, k),
      );
      if (!Number.isFinite(r.loss))
        throw divergedError(`loss became ${r.loss}`, { epoch, step: k + 1, lr });
      lossSum += r.loss * r.n;
      correct += r.correct;
      seen += r.n;
      state.stepInEpoch++;
      state.globalStep++;
      await cb.onStep({
        step: state.globalStep,
        epoch,
        loss: r.loss,
        accuracy: r.correct / r.n,
        lr,
        imagesPerSecond: r.n / ((performance.now() - ts) / 1000),
      });
      // A macrotask per step: prefetched batches resolve as microtasks, so without this the child
      // never reads its IPC channel and a cancel message waits until the run ends.
      await yieldToEventLoop();
      if (cb.isCancelled() && state.stepInEpoch < stepsPerEpoch) {
        await cb.onCancelledMidEpoch(lr);
        return { cancelled: true, imagesPerSecond };
      }
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const v = await evaluateSamples(
      ctx.model,
      stream,
      config,
      ctx.numClasses,
      ctx.numCellTypes,
      o.valSamples,
    );
    if (v && !Number.isFinite(v.loss))
      throw divergedError(`validation loss became ${v.loss}`, { epoch, step: stepsPerEpoch, lr });
    const seconds = (performance.now() - t0) / 1000;
    epochSeconds.push(seconds);
    state.epoch++;
    state.stepInEpoch = 0;
    imagesPerSecond = seen / trainSeconds;
    const meanEpoch = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
    await cb.onEpochEnd(
      {
        epoch,
        loss: seen ? lossSum / seen : 0,
        accuracy: seen ? correct / seen : 0,
        valLoss: v?.loss ?? null,
        valAccuracy: v?.accuracy ?? null,
        lr,
        imagesPerSecond,
        seconds,
        etaSeconds: meanEpoch * (config.epochs - state.epoch),
      },
      v?.accuracy ?? null,
    );
    if (cb.isCancelled() && state.epoch < config.epochs)
      return { cancelled: true, imagesPerSecond };
  }
  return { cancelled: false, imagesPerSecond };
}
