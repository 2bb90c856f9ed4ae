// Helpers for the training form: fill a tiny config through the real inputs and wait on runs.
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
