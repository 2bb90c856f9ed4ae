// Helpers for the training form and predictions: fill a tiny config through the real inputs, wait
// on runs, predict a split.
import { expect } from 'vitest';
import type { AppPage } from './app-page';

/**
 * A config small enough to train in seconds on a CPU (24-px images, 16-px crops, resnet-mini);
 * `startId`: the button that becomes enabled once the form is valid.
 */
export async function fillTinyConfig(
  app: AppPage,
  epochs: number,
  startId = 'train-start',
): Promise<void> {
  const set = async (field: string, value: string) => {
    const input = app.byTestId(`tf-${field}`);
    await input.fill(value);
    await input.blur();
  };
  await set('imageSize', '24');
  await set('cropSize', '16');
  await set('epochs', String(epochs));
  await set('batchSize', '8');
  await set('warmupEpochs', '0');
  await set('lrDecayEpochs', '');
  await set('split.valFraction', '0.2');
  await expect.poll(() => app.byTestId(startId).isEnabled()).toBe(true);
}

export async function runStatus(app: AppPage): Promise<string> {
  return ((await app.byTestId('run-status').textContent()) ?? '').toLowerCase();
}

export async function stepCount(app: AppPage): Promise<number> {
  return Number((await app.byTestId('metrics-charts').getAttribute('data-steps')) ?? 0);
}

/** Starts training from the form and returns the new run id shown in the run panel. */
export async function startRun(app: AppPage, previous: string | null): Promise<string> {
  await app.byTestId('train-start').click();
  await expect
    .poll(() => app.byTestId('run-panel').getAttribute('data-run-id'), { timeout: 30_000 })
    .not.toBe(previous);
  return (await app.byTestId('run-panel').getAttribute('data-run-id')) ?? '';
}

/**
 * Predicts `split` with the run picked on the Predictions screen and waits until the job is done
 * and the summary shows (`summary: false` for a screen variant without it, e.g. the Electron app's).
 */
export async function predictSplit(
  app: AppPage,
  split: 'Validation' | 'Test',
  opts: { summary?: boolean } = {},
): Promise<void> {
  await app.go('predictions');
  await app.byTestId('predict-split').getByText(split).click();
  await app.byTestId('predict-run').click();
  await expect
    .poll(() => app.byTestId('predict-job').textContent(), { timeout: 180_000, interval: 500 })
    .toMatch(/^done/);
  if (opts.summary !== false) await app.byTestId('predict-summary').waitFor({ timeout: 30_000 });
}
