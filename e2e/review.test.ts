// Browser test of review decisions (issue 14): train and predict a tiny run, mark a well excluded
// from a review queue (with a note; the notification's Undo takes it back), see it in the Review
// decisions list and on the plate heatmap "Review decision", export the CSV, see the count on the
// training form, and undo it from the list.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { useSession } from './helpers/session';
import { fillTinyConfig, runStatus, startRun, predictSplit } from './helpers/training';

const session = useSession({ dataset: 'tiny', name: 'review' }, { waitForDataset: true });

let idCode = '';

describe('review decisions', () => {
  it('trains and predicts a tiny run (for the review queues)', async () => {
    const { app } = session;
    await app.go('training');
    await app.byTestId('tf-epochs').waitFor();
    await fillTinyConfig(app, 1);
    await startRun(app, null);
    await expect.poll(() => runStatus(app), { timeout: 180_000, interval: 1000 }).toBe('done');
    // The run says how many wells review left out (none yet).
    await expect
      .poll(() => app.byTestId('run-review-excluded').innerText())
      .toBe('0 wells excluded by review');
    await predictSplit(app, 'Validation');
  });

  it('marks a well excluded from a queue, undoes it from the notification, marks it again', async () => {
    const { app } = session;
    await app.byTestId('queue-least-confident').click();
    await app.byTestId('review-queue').waitFor({ timeout: 30_000 });
    const box = app.byTestId('queue-review');
    idCode = (await box.getByTestId('review-actions').getAttribute('data-idcode')) ?? '';
    expect(idCode).toMatch(/^.+_\d+_[A-P]\d{2}$/);
    await expect(box.getByTestId('review-none').innerText()).resolves.toBe('no decision');

    await box.getByTestId('review-exclude').click();
    const row = app.page.locator(`[data-testid="queue-item"][data-idcode="${idCode}"]`);
    await expect
      .poll(() => row.getByTestId('review-badge').getAttribute('data-decision'))
      .toBe('exclude');
    // The notification's Undo restores "no decision".
    await app.byTestId('review-undo-toast').click();
    await expect.poll(() => row.getByTestId('review-badge').count()).toBe(0);
    await expect.poll(() => box.getByTestId('review-none').count()).toBe(1);

    // Again, with a note (typing j/k in the note does not move the queue).
    const active = await app.byTestId('review-queue').getAttribute('data-active');
    await box.getByTestId('review-note-input').fill('out of focus, just debris');
    expect(await app.byTestId('review-queue').getAttribute('data-active')).toBe(active);
    await box.getByTestId('review-exclude').click();
    await expect
      .poll(() => box.getByTestId('review-note').innerText())
      .toBe('out of focus, just debris');

    // The Review decisions list shows it, with the counts and the kind filter.
    const listRow = app.page.locator(`[data-testid="review-row"][data-idcode="${idCode}"]`);
    await listRow.waitFor();
    await expect(listRow.innerText()).resolves.toContain('out of focus, just debris');
    await expect(app.byTestId('review-counts').innerText()).resolves.toMatch(/^1 excluded/);
    await app
      .byTestId('review-filter')
      .getByText(/^Suspect label/)
      .click();
    await app.byTestId('review-empty').waitFor();
    await app.byTestId('review-filter').getByText(/^All/).click();
    await listRow.waitFor();
    await app.screenshot('review-decisions');
  });

  it('shows the decision on the plate heatmap "Review decision"', async () => {
    const { app } = session;
    const [, experiment, plate, well] = /^(.+)_(\d+)_([A-P]\d{2})$/.exec(idCode)!;
    await app.openPlate(experiment!, Number(plate));
    await app.byTestId('plate-mode').getByText('Heatmap').click();
    await app.byTestId('heatmap-metric').click();
    await app.page.getByRole('option', { name: 'Review decision' }).click();
    const cell = app.page.locator(`[data-testid="well-cell"][data-well="${well}"]`);
    await expect.poll(() => cell.getAttribute('data-value')).toBe('excluded');
    // Every other well reads 'no decision'; the legend names the kinds.
    const values = await app.page
      .locator('[data-testid="well-cell"][data-has-well="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-value')));
    expect(values.filter((v) => v === 'excluded')).toHaveLength(1);
    expect(values.filter((v) => v !== 'excluded').every((v) => v === 'no decision')).toBe(true);
    const legend = await app.byTestId('heatmap-legend').innerText();
    expect(legend).toContain('excluded');
    expect(legend).toContain('no decision');
    await app.screenshot('review-heatmap');
  });

  it('exports the decisions as CSV', async () => {
    const { app } = session;
    await app.go('predictions');
    await app.byTestId('review-export').click();
    const href = await app.byTestId('review-export-link').getAttribute('href', { timeout: 30_000 });
    const res = await app.page.request.get(new URL(href ?? '', session.served.url).toString());
    expect(res.status()).toBe(200);
    const csv = Papa.parse<Record<string, string>>(await res.text(), {
      header: true,
      skipEmptyLines: true,
    });
    expect(csv.data).toEqual([
      expect.objectContaining({
        id_code: idCode,
        decision: 'exclude',
        note: 'out of focus, just debris',
      }),
    ]);
  });

  it('the training form shows the excluded count, then undo from the list clears it', async () => {
    const { app } = session;
    await app.go('training');
    await expect
      .poll(() => app.byTestId('train-review-excluded').innerText(), { timeout: 30_000 })
      .toMatch(/^1 well excluded by review \(left out/);
    expect(await app.byTestId('tf-useReviewExclusions').isChecked()).toBe(true);

    await app.go('predictions');
    await app.page
      .locator(`[data-testid="review-row"][data-idcode="${idCode}"]`)
      .getByTestId('review-row-undo')
      .click();
    await app.byTestId('review-empty').waitFor();
    await app.go('training');
    await expect
      .poll(() => app.byTestId('train-review-excluded').innerText(), { timeout: 30_000 })
      .toMatch(/^0 wells excluded by review/);
  });
});
