// Every run picker (Plates and Well viewer too, not only Predictions and Export) starts on the newest
// completed run of the open dataset; a clearable picker keeps "no run" only after the user cleared it.
import { describe, expect, it } from 'vitest';
import type { RunSummary, TrainConfig } from '../../../src-shared/contract';
import { autoRun, defaultRun } from './run-default';

const run = (runId: string, status: RunSummary['status'], match: RunSummary['datasetMatch']) =>
  ({
    runId,
    createdAt: '2026-11-30T00:00:00Z',
    status,
    // The picker never reads the config.
    config: {} as TrainConfig,
    dataset: null,
    datasetMatch: match,
    backend: 'cpu',
    epochsDone: 1,
    bestValAccuracy: null,
    imagesPerSecond: null,
    warnings: [],
  }) satisfies RunSummary;

// Newest first, as runs.list returns them.
const list = [
  run('r4-running', 'running', 'same'),
  run('r3-other', 'done', 'other'),
  run('r2-done', 'done', 'same'),
  run('r1-done', 'done', 'same'),
];

describe('run default', () => {
  it('is the newest completed run of the open dataset', () => {
    expect(defaultRun(list)).toBe('r2-done');
    expect(defaultRun(list.slice(0, 2))).toBeNull();
  });

  it('a clearable picker (Plates, Well viewer) preselects it too, unless the user cleared it', () => {
    const fresh = { clearable: true, cleared: false };
    expect(autoRun(list, null, fresh)).toBe('r2-done');
    expect(autoRun(list, null, { clearable: false, cleared: false })).toBe('r2-done');
    expect(autoRun(list, null, { clearable: true, cleared: true })).toBeUndefined();
    expect(autoRun(list, 'r1-done', fresh)).toBeUndefined();
    // A run of another dataset's list is not kept silently.
    expect(autoRun(list, 'gone', fresh)).toBe('r2-done');
    expect(autoRun(list, 'gone', { clearable: true, cleared: true })).toBeNull();
    expect(autoRun([], null, fresh)).toBeUndefined();
  });
});
