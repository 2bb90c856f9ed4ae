// Browser test: the training form validates as you type, a tiny run streams its curves, one run is
// cancelled and resumed, and a short run finishes and appears in the run list.
import { describe, expect, it } from 'vitest';
import { useSession } from './helpers/session';
import { fillTinyConfig, runStatus, startRun, stepCount } from './helpers/training';

const session = useSession({ dataset: 'tiny', name: 'training' }, { waitForDataset: true });

describe('training', () => {
  it('validates the settings as you type', async () => {
    await session.app.go('training');
    await session.app.byTestId('tf-batchSize').waitFor();
    await expect
      .poll(() => session.app.byTestId('training-backend').textContent())
      .toMatch(/compute: \w+/);
    await session.app.byTestId('tf-batchSize').fill('0');
    await expect.poll(() => session.app.byTestId('train-start').isEnabled()).toBe(false);
    await expect(session.app.byTestId('train-invalid').innerText()).resolves.toMatch(/1 setting/);
    // The error is shown inline, under the field.
    const describedBy = await session.app.byTestId('tf-batchSize').getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    await expect(
      session.app.page.locator(`[id="${describedBy?.split(' ')[0]}"]`).innerText(),
    ).resolves.toBe('Must be at least 1.');
    // In plain words, and the 0 stays as typed (never silently clamped to 1).
    expect(await session.app.byTestId('tf-batchSize').inputValue()).toBe('0');
    await session.app.byTestId('tf-cropSize').fill('400');
    await session.app.byTestId('tf-imageSize').fill('64');
    await session.app.byTestId('tf-batchSize').fill('8');
    await expect.poll(() => session.app.byTestId('train-invalid').innerText()).toMatch(/1 setting/);
    await fillTinyConfig(session.app, 2);
    await expect
      .poll(() => session.app.byTestId('train-counts').innerText(), { timeout: 30_000 })
      .toMatch(/\d+ training wells/);
    // Class coverage: 'auto' leaves nothing out of the tiny dataset (every class in every
    // experiment); a number above its experiment count leaves every class out, and says so.
    const coverage = () => session.app.byTestId('train-class-coverage').innerText();
    await expect.poll(coverage, { timeout: 30_000 }).toMatch(/none left out/);
    await session.app.page.getByText('Classes: auto coverage').click();
    await session.app.byTestId('tf-minClassExperiments').fill('99');
    await session.app.byTestId('tf-minClassExperiments').blur();
    await expect
      .poll(coverage, { timeout: 30_000 })
      .toMatch(/^Left out \d+ classes seen in fewer than 99 training experiments \(\d+ wells\)\.$/);
    await session.app.page.getByText('Classes: auto coverage').click();
    await expect.poll(coverage, { timeout: 30_000 }).toMatch(/none left out/);
    await session.app.screenshot('training-form');
  });

  it('streams curves, cancels a run and resumes it', async () => {
    await fillTinyConfig(session.app, 400);
    const runId = await startRun(session.app, null);
    await expect
      .poll(() => stepCount(session.app), { timeout: 120_000, interval: 500 })
      .toBeGreaterThan(1);
    const stepsBefore = await stepCount(session.app);
    // Early in 400 (tiny, fast) epochs: a live ETA from step progress, and the table shows the
    // epochs done and the one under way (done + 1), whichever epoch the poll lands in.
    await expect
      .poll(() => session.app.byTestId('run-eta').innerText(), { timeout: 60_000 })
      .toMatch(/ETA \d/);
    const epochsCell = () =>
      session.app.page
        .locator(`[data-testid="run-row"][data-run-id="${runId}"] [data-testid="run-epochs"]`)
        .innerText();
    await expect.poll(epochsCell).toMatch(/^\d+\/400 · epoch \d+ running/);
    const [, done, running] = /^(\d+)\/400 · epoch (\d+) running/.exec(await epochsCell()) ?? [];
    if (done !== undefined) expect(Number(running)).toBe(Number(done) + 1);
    await session.app.screenshot('training-running');
    await session.app.byTestId('train-cancel').click();
    await expect.poll(() => runStatus(session.app), { timeout: 60_000 }).toBe('cancelled');
    expect(
      await session.app.page
        .locator(`[data-testid="run-row"][data-run-id="${runId}"]`)
        .getAttribute('data-status'),
    ).toBe('cancelled');

    await expect.poll(() => session.app.byTestId('train-resume').isEnabled()).toBe(true);
    await session.app.byTestId('train-resume').click();
    await expect.poll(() => runStatus(session.app), { timeout: 60_000 }).toBe('running');
    await expect
      .poll(() => stepCount(session.app), { timeout: 120_000, interval: 500 })
      .toBeGreaterThan(stepsBefore);
    // This time cancel from the global jobs drawer.
    await session.app.byTestId('jobs-button').click();
    const row = session.app.page.locator('[data-testid="job-row"][data-status="running"]');
    await row.waitFor();
    await session.app.page.waitForTimeout(500); // the drawer slides in
    await session.app.screenshot('jobs-drawer');
    // Status badges and names are shown whole, not cut off.
    for (const badge of await session.app.byTestId('job-status').all()) {
      const [scroll, client] = await badge.evaluate((el) => [el.scrollWidth, el.clientWidth]);
      expect(scroll).toBeLessThanOrEqual(client);
    }
    await row.getByTestId('job-cancel').click();
    await session.app.page.keyboard.press('Escape');
    await expect.poll(() => runStatus(session.app), { timeout: 60_000 }).toBe('cancelled');
  });

  it('finishes a short run, lists it with its best score, and reloads its curves', async () => {
    await fillTinyConfig(session.app, 2);
    const previous = await session.app.byTestId('run-panel').getAttribute('data-run-id');
    const runId = await startRun(session.app, previous);
    await expect
      .poll(() => runStatus(session.app), { timeout: 180_000, interval: 1000 })
      .toBe('done');
    const row = session.app.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await expect(row.innerText()).resolves.toMatch(/resnet-mini/);
    expect(Number(await session.app.byTestId('metrics-charts').getAttribute('data-epochs'))).toBe(
      2,
    );
    // Per-epoch charts count epochs from 1, like the job messages.
    expect(await session.app.byTestId('metrics-charts').getAttribute('data-first-epoch')).toBe('1');
    await session.app.screenshot('training-done');
    // The "finished" toast leaves the run panel's Cancel/Resume uncovered.
    const toast = session.app.byTestId('notification').first();
    await toast.waitFor({ timeout: 10_000 });
    const t = (await toast.boundingBox())!;
    for (const id of ['train-cancel', 'train-resume']) {
      const b = (await session.app.byTestId(id).boundingBox())!;
      const overlap =
        t.x < b.x + b.width && b.x < t.x + t.width && t.y < b.y + b.height && b.y < t.y + t.height;
      expect(overlap).toBe(false);
    }

    // After a reload the curves come back from runs.metrics.
    await session.app.page.reload();
    await session.app.go('training');
    await session.app.page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`).click();
    await expect.poll(() => stepCount(session.app), { timeout: 30_000 }).toBeGreaterThan(0);
    // A run's metrics are asked for as soon as it starts; until its folder exists the server says 404.
    expect(
      session.tracked.errors.filter((e) => e !== 'http 404: POST /api/call/runs.metrics'),
    ).toEqual([]);
  });
});
