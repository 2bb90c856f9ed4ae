// Electron main process: the desktop shell. It owns one AppContext (data folder = --data, $PLATELAB_DATA
// or the user-data folder), registers the contract's IPC handlers and the media protocol, forwards
// events to the window, and trains and predicts in utilityProcesses (the bundle's entries, see
// core/jobs/entries.ts). All domain work is in src-main/core.
import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers } from '../core/api/handlers';
import { AppContext } from '../core/app/app-context';
import { DATA_ENV } from '../core/app/data-dir';
import { startOpenDemo } from '../core/app/dataset-jobs';
import { childPredictLauncher } from '../core/learn/predict/predict-in-child';
import { childSaliencyLauncher } from '../core/learn/explain/saliency-task';
import { forwardEventsToWindow, registerIpc } from './ipc';
import { handleMediaProtocol, mediaUrl, registerMediaScheme } from './media-protocol';
import { buildMenu } from './menu';
import { checkNativeModule } from './native-check';
import { applyCsp } from './security';
import { startTraining } from '../core/learn/train/start-training';
import { utilitySpawner } from './utility-spawner';
import { appUrlFor, createMainWindow } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const paths = {
  preload: path.join(here, '../preload/index.cjs'),
  rendererHtml: path.join(here, '../renderer/index.html'),
  icon: path.join(here, '../../resources/icon.png'),
};

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

registerMediaScheme();
if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;
const getWindow = () => win;

/** Opens an in-memory database: loads better-sqlite3's native binary (it loads lazily). */
function openSqlite(): void {
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (f: string) => {
    close(): void;
  };
  new Database(':memory:').close();
}

async function start(): Promise<void> {
  await app.whenReady();
  // Native modules built for Node instead of this Electron: say so with the fix, never half-start.
  const problem = checkNativeModule('better-sqlite3', openSqlite);
  if (problem) {
    console.error(`${problem.title}: ${problem.message}`);
    dialog.showErrorBox(problem.title, problem.message);
    app.exit(1);
    return;
  }
  const dataDir = flag('--data') ?? process.env[DATA_ENV] ?? app.getPath('userData');
  const ctx = new AppContext({ dataDir, mode: 'electron', version: app.getVersion(), mediaUrl });
  const handlers = createHandlers(ctx, {
    launchTraining: (job) => startTraining(job, utilitySpawner('PlateLab training')),
    launchPrediction: childPredictLauncher(utilitySpawner('PlateLab prediction')),
    launchSaliency: childSaliencyLauncher(utilitySpawner('PlateLab prediction')),
  });
  const appUrl = appUrlFor(paths);

  applyCsp(session.defaultSession);
  handleMediaProtocol(ctx);
  registerIpc(handlers, getWindow, appUrl);
  forwardEventsToWindow(ctx.events, getWindow);
  Menu.setApplicationMenu(buildMenu(handlers, getWindow));

  // First start: no dataset yet → generate, index and open the demo (progress shows in the UI).
  if (!ctx.restoreLastDataset() && !process.argv.includes('--no-demo')) startOpenDemo(ctx);

  const open = () => {
    win = createMainWindow(paths, appUrl, fs.existsSync(paths.icon) ? paths.icon : undefined);
    win.on('closed', () => (win = null));
  };
  open();
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    // Cancel jobs (training checkpoints and stops), close the catalog, then really quit — but never
    // hang on quit: after 15 s whatever still runs is left to end with the process.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 15_000));
    void Promise.race([ctx.close(), timeout]).finally(() => app.exit(0));
  });
}

start().catch((err: unknown) => {
  console.error('PlateLab failed to start:', err);
  app.exit(1);
});
