// Browser test on the real RxRx1 sample (2019 CSVs + the site-1 images of B02 of 18 plates): the
// summary's counts are labelled so they agree with the table, a well with only site 1 says site 2
// is missing, and training with controls left out is refused with its reason (0 classes: every
// imaged well is a negative control), and with them still (1 class).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSession } from './helpers/session';

const RXRX1 = resolve('../shared/rxrx1');
const session = useSession(
  { dataset: 'none', existing: RXRX1, name: 'real-data' },
  { waitForDataset: true },
);

describe.runIf(existsSync(RXRX1))('real RxRx1 sample', () => {
  it('labels the counts so they agree with the experiments table', async () => {
    const a = session.app;
    const label = await a.byTestId('count-experiments-label').innerText();
    expect(label).toBe('experiments with images');
    const withImages = Number(await a.byTestId('count-experiments').innerText());
    const rows = await a.page.locator('[data-testid="experiment-row"]').count();
    // 51 experiments in the 2019 CSVs (shared/guide/rxrx1.md), fewer of them with images.
    expect(rows).toBe(51);
    expect(withImages).toBeLessThan(rows);
    await expect
      .poll(() => a.byTestId('plates-table-caption').innerText())
      .toContain(`51 experiment(s) and 204 plate(s) in the metadata; ${withImages} experiment(s)`);
    await a.screenshot('real-datasets');
  });

  it('says site 2 is missing for a well imaged at site 1 only', async () => {
    const a = session.app;
    await a.go('well');
    await a.byTestId('well-idcode').fill('huvec-01_2_b02');
    await a.byTestId('well-idcode').press('Enter');
    await expect.poll(() => a.byTestId('well-title').innerText()).toBe('HUVEC-01_2_B02');
    await a.byTestId('site-2-missing').waitFor();
    await expect.poll(() => a.byTestId('well-meta').innerText()).toMatch(/Site 2\s+missing/);
    await a.screenshot('real-well-site-missing');
  });

  it('refuses to start training with 0 classes and names the way out', async () => {
    const a = session.app;
    await a.go('training');
    const blocked = a.byTestId('train-blocked');
    await blocked.waitFor({ timeout: 60_000 });
    expect(await blocked.innerText()).toMatch(/Include controls/);
    expect(await a.byTestId('train-start').isDisabled()).toBe(true);
    await a.screenshot('real-training-blocked');
    await a.page.getByText('Include controls', { exact: true }).click();
    // Only the negative control (1138) is imaged: with controls, one class, still no classifier.
    await expect
      .poll(() => a.byTestId('train-blocked').innerText(), { timeout: 60_000 })
      .toMatch(/Only 1 class.*at least 2/);
    expect(await a.byTestId('train-start').isDisabled()).toBe(true);
  });
});
