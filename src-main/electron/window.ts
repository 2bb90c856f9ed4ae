// The main window: secure preferences, locked navigation, and the app page (the built renderer, or
// electron-vite's dev server in `npm run dev`).
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockNavigation, securePreferences } from './security';

export interface WindowPaths {
  preload: string;
  rendererHtml: string;
}

/** The page the window shows: ELECTRON_RENDERER_URL in dev, else the built index.html. */
export function appUrlFor(paths: WindowPaths): string {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  return dev ? dev : pathToFileURL(paths.rendererHtml).toString();
}

export function createMainWindow(paths: WindowPaths, appUrl: string, icon?: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'PlateLab',
    backgroundColor: '#1a1b1e',
    ...(icon ? { icon } : {}),
    webPreferences: securePreferences(path.resolve(paths.preload)),
  });
  lockNavigation(win, appUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appUrl);
  return win;
}
