// Browser test: results stay with their dataset. Open the demo (tiny preset), train a run and
// predict its test split; open another dataset (a second tiny synth, same well ids): no demo run
// is offered by default, the demo run only appears behind the toggle with a warning, its demo
// predictions are not shown here, and Export refuses them with a message naming both datasets.
import { describe, expect, it } from 'vitest';
import { useSession } from './helpers/session';
import { fillTinyConfig, runStatus, startRun, predictSplit } from './helpers/training';

// The server (spawned in useSession's beforeAll) inherits this: the demo is the tiny preset.
process.env.PLATELAB_DEMO_PRESET = 'tiny';
const session = useSession({ dataset: 'tiny-closed', name: 'provenance' });
let runId = '';

async function waitForRoot(fragment: string): Promise<void> {
  await expect
    .poll(async () => (await session.app.byTestId('dataset-root').innerText()).includes(fragment), {
      timeout: 120_000,
      interval: 500,
    })
    .toBe(true);
  await session.app.waitForDataset();
}

describe('which run, which data', () => {
  it('opens the demo, trains a run and predicts its test split', async () => {
    await session.app.go('datasets');
    await session.app.byTestId('dataset-open-demo').click();
    await waitForRoot('demo');
    await session.app.go('training');
    await session.app.byTestId('tf-epochs').waitFor();
    await fillTinyConfig(session.app, 1);
    runId = await startRun(session.app, null);
    await expect
      .poll(() => runStatus(session.app), { timeout: 180_000, interval: 1000 })
      .toBe('done');

    await session.app.go('predictions');
    // The newest completed run of the open dataset is the default.
    await expect.poll(() => session.app.byTestId('pick-run').inputValue()).toContain(runId);
    await predictSplit(session.app, 'Test', { summary: false });
    await expect(session.app.byTestId('prediction-source').innerText()).resolves.toContain(
      'on demo (',
    );
  });

  it('offers no demo run on another dataset and refuses to export the demo predictions', async () => {
    await session.app.go('datasets');
    await session.app.byTestId('dataset-path').fill(session.served.datasetDir as string);
    await session.app.byTestId('dataset-open').click();
    await waitForRoot(session.served.datasetDir as string);

    await session.app.go('predictions');
    const picker = session.app.byTestId('pick-run');
    await expect.poll(() => picker.getAttribute('placeholder')).toBe('No runs of this dataset yet');
    expect(await picker.inputValue()).toBe('');

    await session.app.go('export');
    await expect.poll(() => session.app.byTestId('export-submission').isEnabled()).toBe(false);
    // Only behind the explicit toggle, with a warning naming where it was trained.
    await session.app.byTestId('runs-all-datasets').check();
    await session.app.byTestId('pick-run').click();
    await session.app.page.getByRole('option', { name: new RegExp(runId) }).click();
    await expect(session.app.byTestId('run-foreign-warning').innerText()).resolves.toMatch(
      /was trained on demo \([0-9a-f]{8}\), not on the open dataset/,
    );
    await session.app.byTestId('export-submission').click();
    const error = session.app.byTestId('export-submission-error');
    await error.waitFor({ timeout: 60_000 });
    const text = await error.innerText();
    expect(text).toMatch(/made on demo \([0-9a-f]{8}\)/);
    expect(text).toMatch(/the open dataset is ds \([0-9a-f]{8}\)/);
    expect(await session.app.byTestId('export-submission-link').count()).toBe(0);
    await session.app.screenshot('export-refuses-foreign');

    // Predictions shows nothing of the demo's test results over these plates.
    await session.app.go('predictions');
    await session.app.byTestId('predict-split').getByText('Test').click();
    await session.app.byTestId('no-predictions').waitFor({ timeout: 30_000 });
  });
});
