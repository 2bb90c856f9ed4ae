// Secure defaults of the desktop window: isolated, sandboxed renderer without Node; a strict CSP on
// every response; no navigation away from the app and no new windows; IPC only from our own page.
import {
  shell,
  type BrowserWindow,
  type Session,
  type WebFrameMain,
  type WebPreferences,
} from 'electron';
import { isAppUrl } from './app-url';

export const WINDOW_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob: platelab-media:; connect-src 'self' platelab-media:; font-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; frame-src 'none'; form-action 'none'";

export function securePreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/** CSP header on every response of the session (the renderer's <meta> CSP covers file:// loads too). */
export function applyCsp(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [WINDOW_CSP] },
    });
  });
  // No permission (camera, notifications, …) is ever needed.
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

export function lockNavigation(win: BrowserWindow, appUrl: string): void {
  const wc = win.webContents;
  wc.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  wc.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser; nothing opens inside the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** IPC is answered only for the main frame of our own window showing our own page. */
export function trustedSender(
  frame: WebFrameMain | null,
  win: BrowserWindow | null,
  appUrl: string,
): boolean {
  if (!frame || !win || win.isDestroyed()) return false;
  return frame === win.webContents.mainFrame && isAppUrl(frame.url, appUrl);
}
