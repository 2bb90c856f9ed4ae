// The runs table follows the training events at once: after epoch 1 (index 0) is validated the row
// says 1/3 done with its val accuracy, and a resumed run listed as cancelled shows as running.
import { describe, expect, it } from 'vitest';
import type {
  EpochMetric,
  RunSummary,
  StepMetric,
  TrainConfig,
} from '../../../src-shared/contract';
import { addMetricsEvent, withLiveRun } from './live-runs';

const listed = (status: RunSummary['status'], epochsDone: number): RunSummary => ({
  runId: 'r1',
  createdAt: '2026-11-30T00:00:00Z',
  status,
  // The table reads only the epoch count of the config here.
  config: { epochs: 3 } as TrainConfig,
  dataset: null,
  datasetMatch: 'same',
  backend: 'cpu',
  epochsDone,
  bestValAccuracy: null,
  imagesPerSecond: null,
  warnings: [],
});
const step = (epoch: number, n: number): StepMetric => ({
  step: n,
  epoch,
  loss: 1,
  accuracy: 0.5,
  lr: 0.01,
  imagesPerSecond: 10,
});
const epochEnd = (epoch: number, valAccuracy: number | null): EpochMetric => ({
  epoch,
  loss: 1,
  accuracy: 0.5,
  valLoss: valAccuracy === null ? null : 1,
  valAccuracy,
  lr: 0.01,
  imagesPerSecond: 10,
  seconds: 1,
  etaSeconds: null,
});

describe('live run rows', () => {
  it('counts an epoch and its val accuracy as soon as its event arrives', () => {
    // Listed before epoch 0 was recorded in run.json (the listing lags the event).
    const listing = [listed('running', 0)];
    let live = addMetricsEvent(undefined, { runId: 'r1', step: step(0, 5) }, listing);
    live = addMetricsEvent(live, { runId: 'r1', epoch: epochEnd(0, 0.25) }, listing);
    live = addMetricsEvent(live, { runId: 'r1', step: step(1, 6) }, listing);
    const row = withLiveRun(listing[0]!, live, listing);
    expect(row.epochsDone).toBe(1);
    expect(row.bestValAccuracy).toBe(0.25);
    expect(live.step?.epoch).toBe(1);
    // A worse epoch does not lower the best; a listing that is ahead wins.
    live = addMetricsEvent(live, { runId: 'r1', epoch: epochEnd(1, 0.1) }, listing);
    expect(withLiveRun(listing[0]!, live, listing).bestValAccuracy).toBe(0.25);
    expect(withLiveRun({ ...listing[0]!, epochsDone: 3 }, live, listing).epochsDone).toBe(3);
  });

  it('shows a resumed run as running while its events come, and a newer listing decides', () => {
    const before = [listed('cancelled', 1)];
    const live = addMetricsEvent(undefined, { runId: 'r1', step: step(1, 7) }, before);
    expect(withLiveRun(before[0]!, live, before).status).toBe('running');
    // The listing read after the job ended is not overridden by older events.
    const after = [listed('done', 3)];
    expect(withLiveRun(after[0]!, live, after).status).toBe('done');
    expect(withLiveRun(before[0]!, undefined, before)).toEqual(before[0]);
  });
});
