// The runs table between reloads: training:metrics events update a run's row at once (epochs done,
// best val accuracy, running again after a resume), because runs.list, read when an event arrives,
// can still show the run folder as it was before the epoch was recorded.
import type { EventPayload, RunSummary } from '../../../src-shared/contract';

type Metrics = EventPayload<'training:metrics'>;

/** What the events of one run said since the page started. */
export interface LiveRun {
  step: Metrics['step'] | null;
  /** Epochs finished (EpochMetric.epoch is 0-based: epoch 0 ended → 1 done). */
  epochsDone: number;
  /** Best validation accuracy of the epochs seen (0–1), null when none was validated. */
  bestValAccuracy: number | null;
  /** The runs listing shown when the newest event arrived (compared by identity). */
  listing: unknown;
}

/** Folds one training:metrics event, received while `listing` was shown, into the run's state. */
export function addMetricsEvent(prev: LiveRun | undefined, p: Metrics, listing: unknown): LiveRun {
  const live: LiveRun = prev ?? { step: null, epochsDone: 0, bestValAccuracy: null, listing };
  const val = p.epoch?.valAccuracy ?? null;
  return {
    step: p.step ?? live.step,
    epochsDone: p.epoch ? Math.max(live.epochsDone, p.epoch.epoch + 1) : live.epochsDone,
    bestValAccuracy:
      val === null
        ? live.bestValAccuracy
        : Math.max(val, live.bestValAccuracy ?? Number.NEGATIVE_INFINITY),
    listing,
  };
}

/**
 * The row to show: `run` of `listing` updated by its events. An event that arrived while this
 * listing was shown means the run is running (a resumed run listed as cancelled); a newer listing
 * (read after the job ended) decides again. Epochs done and best val accuracy only move forward.
 */
export function withLiveRun(
  run: RunSummary,
  live: LiveRun | undefined,
  listing: unknown,
): RunSummary {
  if (!live) return run;
  const best =
    live.bestValAccuracy === null
      ? run.bestValAccuracy
      : Math.max(live.bestValAccuracy, run.bestValAccuracy ?? Number.NEGATIVE_INFINITY);
  return {
    ...run,
    status: live.listing === listing ? 'running' : run.status,
    epochsDone: Math.max(run.epochsDone, live.epochsDone),
    bestValAccuracy: best,
  };
}
