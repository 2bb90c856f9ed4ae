// Page helpers for PlateLab screens: navigation, waiting for the dataset and jobs, reading the
// plate grid, and screenshots saved under test-results/screenshots/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { Screen } from '../../src-renderer/src/state/routes';
import { backgroundImage, jobsIdle } from './in-page';

export const SHOTS = 'test-results/screenshots';

/** The screens, as the app's routes name them. */
export type ScreenId = Screen;

export class AppPage {
  constructor(readonly page: Page) {}

  byTestId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async go(screen: ScreenId): Promise<void> {
    await this.byTestId(`nav-${screen}`).click();
    await this.byTestId(`screen-${screen}`).waitFor();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(SHOTS, { recursive: true });
    const path = join(SHOTS, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** Waits until the dataset summary shows (the server indexes a --dataset on start). */
  async waitForDataset(timeout = 90_000): Promise<void> {
    await this.go('datasets');
    const deadline = Date.now() + timeout;
    // The summary loads again whenever the catalog changes; reload the screen until it shows.
    while (Date.now() < deadline) {
      if (await this.byTestId('count-wells').isVisible()) {
        const wells = Number((await this.byTestId('count-wells').innerText()).replace(/,/g, ''));
        if (wells > 0) return;
      }
      await this.page.waitForTimeout(500);
    }
    const progress = this.byTestId('index-progress');
    const shown = (await progress.isVisible()) ? await progress.innerText() : 'no index job shown';
    throw new Error(`the dataset summary did not appear within ${timeout} ms (${shown})`);
  }

  async openPlate(experiment: string, plate: number): Promise<void> {
    await this.go('datasets');
    await this.byTestId(`open-plate-${experiment}-${plate}`).click();
    await this.byTestId('screen-plates').waitFor();
    await this.byTestId('plate-grid').waitFor();
  }

  cells(): Locator {
    return this.page.locator('[data-testid="well-cell"]');
  }

  /** The computed background-image URL of a well cell ('' when none). */
  async cellBackground(well: string): Promise<string> {
    return this.page
      .locator(`[data-testid="well-cell"][data-well="${well}"]`)
      .evaluate(backgroundImage);
  }

  /** Waits until no job is queued or running, per the header badge. */
  async waitForJobsIdle(timeout = 120_000): Promise<void> {
    await this.page.waitForFunction(jobsIdle, undefined, { timeout });
  }
}
