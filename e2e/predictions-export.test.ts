// Browser test: train a tiny run, predict the validation and test splits, step through a review
// queue with the keyboard into the well viewer, then export a Kaggle submission and check the file.
import { describe, expect, it } from 'vitest';
import { testCsvRows } from './helpers/dataset-csv';
import { naturalWidth } from './helpers/in-page';
import { useSession } from './helpers/session';
import { fillTinyConfig, runStatus, startRun, predictSplit } from './helpers/training';

const session = useSession({ dataset: 'tiny', name: 'predict' }, { waitForDataset: true });

const predict = (split: 'Validation' | 'Test'): Promise<void> => predictSplit(session.app, split);

describe('predictions and export', () => {
  it('trains a tiny run to the end', async () => {
    await session.app.go('training');
    await session.app.byTestId('tf-epochs').waitFor();
    await fillTinyConfig(session.app, 3);
    await startRun(session.app, null);
    await expect
      .poll(() => runStatus(session.app), { timeout: 180_000, interval: 1000 })
      .toBe('done');
  });

  it('predicts the validation split and shows accuracy, plates and confused pairs', async () => {
    await predict('Validation');
    await expect(session.app.byTestId('predict-accuracy').innerText()).resolves.toMatch(
      /^\d+(\.\d)?%$/,
    );
    expect(
      await session.app.byTestId('per-plate-table').locator('tbody tr').count(),
    ).toBeGreaterThan(0);
    await session.app.byTestId('plate-grid').waitFor();
    // The correctness heatmap colours every predicted well of the plate green or red.
    const colours = await session.app.page
      .locator('[data-testid="screen-predictions"] [data-has-well="true"][data-value]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-value')));
    expect(colours.every((v) => v === 'correct' || v === 'wrong')).toBe(true);
    await session.app.screenshot('predictions');

    // Clicking the chosen run again in the picker keeps it (no silent fall-back to another run).
    const picker = session.app.byTestId('pick-run');
    const chosen = await picker.inputValue();
    const hashBefore = new URL(session.app.page.url()).hash;
    await picker.click();
    await session.app.page.getByRole('option', { name: chosen }).click();
    await session.app.page.waitForTimeout(500);
    expect(await picker.inputValue()).toBe(chosen);
    expect(new URL(session.app.page.url()).hash).toBe(hashBefore);
  });

  it('steps through a review queue with j/k and opens a well with Enter', async () => {
    await session.app.byTestId('queue-least-confident').click();
    const queue = session.app.byTestId('review-queue');
    await queue.waitFor({ timeout: 30_000 });
    const items = session.app.byTestId('queue-item');
    expect(await items.count()).toBeGreaterThan(1);
    // Straight after clicking the tab, with no click into the list: the keys already work.
    await session.app.page.keyboard.press('j');
    await expect.poll(() => queue.getAttribute('data-active')).toBe('1');
    await session.app.page.keyboard.press('j');
    await session.app.page.keyboard.press('k');
    await expect.poll(() => queue.getAttribute('data-active')).toBe('1');
    const ids = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-idcode')));
    const idCode = ids[1];
    await session.app.page.keyboard.press('Enter');
    await session.app.byTestId('screen-well').waitFor();
    await expect(session.app.byTestId('well-title').innerText()).resolves.toBe(idCode);
    await session.app.byTestId('top-predictions').waitFor({ timeout: 30_000 });
    expect(
      await session.app.byTestId('top-predictions').locator('.mantine-Progress-root').count(),
    ).toBeGreaterThan(0);
    await expect
      .poll(() => session.app.byTestId('site-1-img').evaluate(naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await session.app.screenshot('review-well');

    // The true class is named against the top 5; j/k step through the same queue; back returns.
    await expect
      .poll(() => session.app.byTestId('truth-note').innerText())
      .toMatch(/^True class \S+ (is number [1-5] of the top 5|is not in the top 5)\.$/);
    const marked = await session.app.byTestId('true-class').count();
    expect(marked).toBeLessThanOrEqual(1);
    await expect.poll(() => session.app.byTestId('queue-nav').getAttribute('data-pos')).toBe('1');
    await session.app.page.locator('body').press('j');
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(ids[2]);
    await session.app.page.locator('body').press('k');
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(ids[1]);
    await session.app.byTestId('queue-next').click();
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(ids[2]);
    await session.app.byTestId('back-to-queue').click();
    await session.app.byTestId('review-queue').waitFor();
    await expect
      .poll(() => session.app.byTestId('review-queue').getAttribute('data-active'))
      .toBe('2');

    // "Back to plate" opens the well's own plate with the well selected, whatever plate the
    // Predictions screen had open.
    await session.app.byTestId('review-queue').press('Enter');
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(ids[2]);
    await session.app.byTestId('back-to-plate').click();
    const [, exp, plate, well] = /^(.+)_(\d+)_([A-P]\d{2})$/.exec(ids[2] ?? '') ?? [];
    await expect
      .poll(() => new URL(session.app.page.url()).hash)
      .toMatch(new RegExp(`^#/plates/${exp}/${plate}\\?(.*&)?cell=${well}(&|$)`));
  });

  it('exports a Kaggle submission with one row per test.csv well', async () => {
    await predict('Test');
    await session.app.go('export');
    await session.app.byTestId('export-submission').click();
    const link = session.app.byTestId('export-submission-link');
    await link.waitFor({ timeout: 120_000 });
    const href = (await link.getAttribute('href')) ?? '';
    const res = await session.app.page.request.get(new URL(href, session.served.url).toString());
    expect(res.status()).toBe(200);
    const lines = (await res.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('id_code,sirna');
    const expected = testCsvRows(session.served.datasetDir as string);
    expect(lines.length - 1).toBe(expected);
    expect(Number(await link.getAttribute('data-rows'))).toBe(expected);
    expect(lines.slice(1).every((l) => /^[^,]+_\d+_[A-P]\d{2},\S+$/.test(l))).toBe(true);

    // The per-well predictions CSV and the plate heatmap PNG come back as files too.
    await session.app.byTestId('export-predictions').click();
    const csvHref = await session.app
      .byTestId('export-predictions-link')
      .getAttribute('href', { timeout: 60_000 });
    const csv = await session.app.page.request.get(
      new URL(csvHref ?? '', session.served.url).toString(),
    );
    expect((await csv.text()).split(/\r?\n/)[0]).toMatch(/^id_code,/);
    await session.app.byTestId('export-png').click();
    const pngHref = await session.app
      .byTestId('export-png-link')
      .getAttribute('href', { timeout: 60_000 });
    const png = await (
      await session.app.page.request.get(new URL(pngHref ?? '', session.served.url).toString())
    ).body();
    expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

    // The test split has no labels: it says so and shows predicted classes and confidence.
    await session.app.go('predictions');
    await session.app.byTestId('predict-split').getByText('Test').click();
    await session.app.byTestId('test-unlabelled').waitFor({ timeout: 30_000 });
    expect(await session.app.byTestId('predict-accuracy').count()).toBe(0);
    await expect
      .poll(() => session.app.byTestId('predict-confidence').innerText(), { timeout: 30_000 })
      .toMatch(/^\d+\.\d%$/);
    expect(await session.app.byTestId('queue-confident-wrong').count()).toBe(0);
    // Treatment wells are counted apart from the controls (test.csv lists treatment wells only).
    await expect
      .poll(() => session.app.byTestId('predict-wells').innerText())
      .toBe(String(expected));
    await session.app.screenshot('predictions-test-split');
    await session.app.screenshot('export');
  });
});
