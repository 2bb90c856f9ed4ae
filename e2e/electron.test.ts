// The desktop app end to end: where the Electron binary is installed, build with electron-vite,
// launch through Playwright's _electron over a temp data folder, and check the window shows the
// dataset screen with the demo dataset opened, through a preload bridge with no Node in the page;
// then train one tiny epoch (training utilityProcess), predict the test split (prediction
// utilityProcess) and export a submission. Where the binary is absent these tests are reported
// SKIPPED with the reason, never passed silently.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../scripts/electron-binary.mjs';
import { AppPage } from './helpers/app-page';
import { fillTinyConfig, runStatus, startRun, predictSplit } from './helpers/training';

const root = path.resolve(import.meta.dirname, '..');

describe('desktop app (Electron)', () => {
  let app: ElectronApplication | null = null;
  let win: Page | null = null;
  let tmp: string | null = null;

  afterAll(async () => {
    await app?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('opens a window showing the dataset screen with the demo dataset', async (ctx) => {
    const found = electronBinary();
    if ('reason' in found)
      return ctx.skip(
        `SKIPPED: ${found.reason}; the desktop app cannot be launched in this environment`,
      );

    const build = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(build.status, `electron-vite build failed:\n${build.stderr}`).toBe(0);

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-e2e-electron-'));
    app = await electron.launch({
      executablePath: found.bin,
      args: [root, '--data', path.join(tmp, 'data')],
      cwd: root,
      env: { ...process.env, PLATELAB_DEMO_PRESET: 'tiny' },
    });
    win = await app.firstWindow();
    await win.getByTestId('screen-datasets').waitFor({ timeout: 60_000 });

    // The bridge is the preload's: one function per call, no Node and no generic invoke in the page.
    expect(await win.evaluate('typeof window.platelab.calls["app.info"]')).toBe('function');
    expect(await win.evaluate('typeof window.platelab.invoke')).toBe('undefined');
    expect(await win.evaluate('typeof window.require')).toBe('undefined');
    expect(await win.evaluate('typeof window.process')).toBe('undefined');

    // First start generates, indexes and opens the demo; the summary then shows its wells.
    const wells = win.getByTestId('count-wells');
    await expect
      .poll(
        async () =>
          (await wells.isVisible()) ? Number((await wells.innerText()).replace(/,/g, '')) : 0,
        { timeout: 90_000 },
      )
      .toBeGreaterThan(0);
    const info = (await win.evaluate('window.platelab.calls["app.info"]({})')) as {
      ok: boolean;
      data?: { mode: string };
    };
    expect(info.ok).toBe(true);
    expect(info.data?.mode).toBe('electron');
  });

  it('trains one tiny epoch, predicts the test split and exports a submission', async (ctx) => {
    const found = electronBinary();
    if ('reason' in found)
      return ctx.skip(
        `SKIPPED: ${found.reason}; the desktop app cannot be launched in this environment`,
      );
    expect(win, 'the window test above opened the app').not.toBeNull();
    const page = new AppPage(win!);
    await page.go('training');
    await fillTinyConfig(page, 1);
    await startRun(page, null);
    await expect.poll(() => runStatus(page), { timeout: 180_000, interval: 1000 }).toBe('done');

    await predictSplit(page, 'Test', { summary: false });

    await page.go('export');
    await page.byTestId('export-submission').click();
    const link = page.byTestId('export-submission-link');
    await link.waitFor({ timeout: 120_000 });
    expect(Number(await link.getAttribute('data-rows'))).toBeGreaterThan(0);
  });
});
