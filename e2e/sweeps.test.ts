// Browser test: a 2-run local sweep planned in the Sweeps screen (the planned count live from
// sweeps.plan), submitted, both runs reaching done in the sweep table, then the sweep ensembled
// from the Predictions screen and shown like any prediction set. Leaving the screen keeps the form.
import { describe, expect, it } from 'vitest';
import { useSession } from './helpers/session';
import { fillTinyConfig } from './helpers/training';

const session = useSession({ dataset: 'tiny', name: 'sweeps' }, { waitForDataset: true });

describe('sweeps', () => {
  it('plans, submits and finishes a 2-run local sweep, then ensembles it', async () => {
    const app = session.app;
    await app.go('sweeps');
    await app.byTestId('tf-batchSize').waitFor();
    await app.byTestId('sweep-name').fill('two');
    await app.byTestId('sweep-grid-row').first().fill('dropout=0,0.1');
    await expect
      .poll(() => app.byTestId('sweep-count').getAttribute('data-count'), { timeout: 30_000 })
      .toBe('2');
    await fillTinyConfig(app, 1, 'sweep-submit');
    // A third value makes 3: the count follows the grid as typed.
    await app.byTestId('sweep-grid-row').first().fill('dropout=0,0.1,0.2');
    await expect
      .poll(() => app.byTestId('sweep-count').getAttribute('data-count'), { timeout: 30_000 })
      .toBe('3');
    await app.byTestId('sweep-grid-row').first().fill('dropout=0,0.1');
    await expect
      .poll(() => app.byTestId('sweep-count').getAttribute('data-count'), { timeout: 30_000 })
      .toBe('2');
    // Slurm shows the batch script before anything is submitted.
    await app.page.getByText('Slurm cluster').click();
    await app.byTestId('slurm-partition').fill('gpu');
    await expect
      .poll(() => app.byTestId('sweep-script').innerText(), { timeout: 30_000 })
      .toMatch(/#SBATCH --partition=gpu/);
    // Leaving the screen (to look at a plate) keeps the form: name, grid, settings, Slurm fields.
    await app.go('plates');
    await app.go('sweeps');
    await app.byTestId('tf-batchSize').waitFor();
    expect(await app.byTestId('sweep-name').inputValue()).toBe('two');
    expect(await app.byTestId('sweep-grid-row').first().inputValue()).toBe('dropout=0,0.1');
    expect(await app.byTestId('tf-imageSize').inputValue()).toBe('24');
    expect(await app.byTestId('slurm-partition').inputValue()).toBe('gpu');
    await app.page.getByText('This machine').click();
    await expect.poll(() => app.byTestId('sweep-submit').isEnabled()).toBe(true);
    await app.byTestId('sweep-submit').click();

    const rows = app.page.locator(
      '[data-testid="sweep"][data-sweep="two"] [data-testid="sweep-run"]',
    );
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    await expect
      .poll(
        async () =>
          (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).join(','),
        { timeout: 240_000, interval: 1000 },
      )
      .toBe('done,done');
    await app.screenshot('sweeps-done');

    await app.go('predictions');
    await app.byTestId('ensemble-sweep').click();
    await app.page.getByRole('option', { name: /^two/ }).click();
    await app.byTestId('ensemble-run').click();
    await expect
      .poll(() => app.byTestId('prediction-source').innerText(), {
        timeout: 120_000,
        interval: 1000,
      })
      .toMatch(/two-ensemble/);
    await app.screenshot('sweeps-ensemble');
    // In the Training runs table the ensemble says what it is instead of "0/1" epochs.
    await app.go('training');
    const ensembleRow = app.page.locator('[data-testid="run-row"]', { hasText: 'two-ensemble' });
    await expect
      .poll(() => ensembleRow.locator('[data-testid="run-epochs"]').innerText(), {
        timeout: 30_000,
      })
      .toBe('ensemble');
    expect(session.tracked.errors).toEqual([]);
  }, 400_000);
});
