// Browser test: every screen and its selection live in the URL (hash routes). Reload and Back/
// Forward restore a well view (site and layout included); 's' switches site right after "One
// site"; the well box takes any case; the header names the open dataset. Screenshots of each screen.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetWells } from './helpers/dataset-csv';
import { naturalWidth } from './helpers/in-page';
import { useSession } from './helpers/session';

const RXRX1 = resolve('../shared/rxrx1');
const session = useSession({ dataset: 'tiny', name: 'routes' }, { waitForDataset: true });

const hash = async () => decodeURIComponent(new URL(session.app.page.url()).hash);

async function siteShown(site: number): Promise<void> {
  const img = session.app.byTestId(`site-${site}-img`);
  await img.waitFor();
  await expect.poll(() => img.evaluate(naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
}

describe('URL routes', () => {
  it('names the open dataset in the header, its path on hover', async () => {
    const badge = session.app.byTestId('header-dataset');
    await expect.poll(() => badge.innerText()).toBe('DATASET: DS');
    expect(await badge.getAttribute('data-root')).toBe(session.served.datasetDir);
    await session.app.screenshot('routes-datasets');
  });

  it('puts the plate in the URL and restores the well view on reload, Back and Forward', async () => {
    const w = datasetWells(session.served.datasetDir as string).find(
      (x) => x.experiment.startsWith('HUVEC') && x.well === 'B02',
    )!;
    await session.app.openPlate(w.experiment, w.plate);
    await expect.poll(hash).toContain(`#/plates/${w.experiment}/${w.plate}`);
    await session.app.screenshot('routes-plates');

    await session.app.page.locator('[data-testid="well-cell"][data-well="B02"]').dblclick();
    await session.app.byTestId('screen-well').waitFor();
    await expect.poll(hash).toContain(`#/well/${w.idCode}`);

    // 's' right after clicking "One site" (focus is on the segmented control's radio).
    await session.app.byTestId('site-layout').getByText('One site').click();
    await siteShown(1);
    await session.app.page.keyboard.press('s');
    await siteShown(2);
    expect(await session.app.byTestId('site-1').count()).toBe(0);
    await expect.poll(hash).toMatch(/layout=switch.*site=2|site=2.*layout=switch/);
    await session.app.screenshot('routes-well');

    await session.app.page.reload();
    await session.app.byTestId('screen-well').waitFor();
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(w.idCode);
    await siteShown(2);
    expect(await session.app.byTestId('site-1').count()).toBe(0);

    await session.app.page.goBack();
    await session.app.byTestId('screen-plates').waitFor();
    await expect.poll(hash).toContain(`#/plates/${w.experiment}/${w.plate}`);
    await session.app.byTestId('plate-grid').waitFor();

    await session.app.page.goForward();
    await session.app.byTestId('screen-well').waitFor();
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(w.idCode);
    await siteShown(2);
  });

  it('opens a well typed in lower case', async () => {
    const w = datasetWells(session.served.datasetDir as string).find(
      (x) => x.experiment.startsWith('HUVEC') && x.well !== 'B02',
    )!;
    const box = session.app.byTestId('well-idcode');
    await box.fill(w.idCode.toLowerCase());
    await box.press('Enter');
    await expect.poll(() => session.app.byTestId('well-title').innerText()).toBe(w.idCode);
    await expect.poll(hash).toContain(`#/well/${w.idCode}`);
    await box.fill('nonsense_1_b02');
    await box.press('Enter');
    await expect
      .poll(() => session.app.page.getByText('is not a well of the open dataset').count())
      .toBe(1);
  });

  it('routes the other screens and keeps their selection across reloads', async () => {
    for (const s of ['training', 'predictions', 'export'] as const) {
      await session.app.go(s);
      await expect.poll(hash).toContain(`#/${s}`);
      await session.app.screenshot(`routes-${s}`);
    }
    await session.app.go('predictions');
    await session.app.byTestId('screen-predictions').waitFor();
    await session.app.page.reload();
    await session.app.byTestId('screen-predictions').waitFor();
    await session.app.page.goBack();
    await session.app.byTestId('screen-export').waitFor();
    expect(await hash()).toContain('dataset=ds');

    // A link made on another dataset says so, and can be moved to the open one.
    const url = new URL(session.app.page.url());
    url.hash = '#/plates?dataset=elsewhere';
    await session.app.page.goto(url.toString());
    await session.app.page.reload();
    const warn = session.app.byTestId('link-other-dataset');
    await warn.waitFor();
    expect(await warn.innerText()).toContain('“elsewhere”');
    await warn.getByRole('button').click();
    await expect.poll(() => warn.count()).toBe(0);
    await expect.poll(hash).toContain('dataset=ds');
    expect(session.tracked.errors).toEqual([]);
  });

  it.runIf(existsSync(RXRX1))(
    'lists recent datasets and opens the one a link names when it was opened before',
    async () => {
      const a = session.app;
      await a.go('datasets');
      await a.byTestId('dataset-path').fill(RXRX1);
      await a.byTestId('dataset-open').click();
      const badge = a.byTestId('header-dataset');
      await expect.poll(() => badge.innerText(), { timeout: 90_000 }).toBe('DATASET: RXRX1');
      await expect.poll(hash).toContain('dataset=rxrx1');
      // The tiny dataset opened before is one click away on the datasets screen…
      const recent = a.byTestId('recent-dataset').filter({ hasText: 'ds' });
      await expect.poll(() => recent.count()).toBe(1);
      expect(await recent.getAttribute('title')).toBe(session.served.datasetDir);

      // …and a link made on it offers to open it.
      const url = new URL(a.page.url());
      url.hash = '#/plates?dataset=ds';
      await a.page.goto(url.toString());
      await a.page.reload();
      const open = a.byTestId('open-linked-dataset');
      await open.waitFor();
      expect(await open.innerText()).toContain('“ds”');
      await open.click();
      await expect.poll(() => badge.innerText(), { timeout: 90_000 }).toBe('DATASET: DS');
      await expect.poll(() => a.byTestId('link-other-dataset').count()).toBe(0);
      await expect.poll(hash).toContain('dataset=ds');
      expect(session.tracked.errors).toEqual([]);
    },
  );
});
