// The desktop shell's glue with Electron replaced by a small double: IPC handlers registered from the
// contract answer only our window's main frame on our page; navigation away and new windows are
// refused; the window's preferences keep isolation, the sandbox and no Node.
import { describe, expect, it, vi } from 'vitest';
import { callNames, type Result } from '../../src-shared/contract';
import { ipcCallChannel } from '../../src-shared/wire';
import type { Handlers } from '../core/api/handler-types';

const registered = new Map<
  string,
  (event: unknown, payload: unknown) => Promise<Result<unknown>> | Result<unknown>
>();
const opened: string[] = [];

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, payload: unknown) => Promise<Result<unknown>>) =>
      registered.set(channel, fn),
    removeHandler: (channel: string) => registered.delete(channel),
  },
  shell: { openExternal: async (url: string) => void opened.push(url) },
}));

const { registerIpc } = await import('./ipc');
const { applyCsp, lockNavigation, securePreferences, WINDOW_CSP } = await import('./security');

const appUrl = 'file:///opt/platelab/out/renderer/index.html';
const handlers = {
  'app.info': async () => ({
    version: '1',
    mode: 'electron',
    backend: { name: 'cpu', detail: '', tried: [] },
    dataset: null,
    dataDir: '/d',
    recentDatasets: [],
  }),
} as unknown as Handlers;

function fakeWindow(url: string) {
  const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const mainFrame = { url };
  return {
    isDestroyed: () => false,
    webContents: {
      mainFrame,
      on: (name: string, fn: (event: { preventDefault(): void }, url: string) => void) =>
        listeners.set(name, fn),
      setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (openHandler = fn),
    },
    navigate(name: string, to: string): boolean {
      let prevented = false;
      listeners.get(name)?.({ preventDefault: () => (prevented = true) }, to);
      return prevented;
    },
    open: (to: string) => openHandler?.({ url: to }),
  };
}

describe('electron shell glue', () => {
  it('registers one IPC handler per call and answers only our window on our page', async () => {
    const win = fakeWindow(appUrl);
    const stop = registerIpc(handlers, () => win as never, appUrl);
    expect([...registered.keys()].sort()).toEqual(callNames.map((n) => ipcCallChannel(n)).sort());
    const handle = registered.get(ipcCallChannel('app.info'))!;

    const ok = await handle({ senderFrame: win.webContents.mainFrame }, {});
    expect(ok.ok).toBe(true);
    const invalid = await handle({ senderFrame: win.webContents.mainFrame }, { extra: 1 });
    expect(!invalid.ok && invalid.error.code).toBe('VALIDATION');

    const otherFrame = await handle({ senderFrame: { url: appUrl } }, {});
    expect(!otherFrame.ok && otherFrame.error.code).toBe('FORBIDDEN');
    const navigatedAway = fakeWindow('https://evil.example/');
    const stop2 = registerIpc(handlers, () => navigatedAway as never, appUrl);
    const fromEvil = await registered.get(ipcCallChannel('app.info'))!(
      { senderFrame: navigatedAway.webContents.mainFrame },
      {},
    );
    expect(!fromEvil.ok && fromEvil.error.code).toBe('FORBIDDEN');
    stop2();
    stop();
    expect(registered.size).toBe(0);
  });

  it('blocks navigation away from the app and every new window', () => {
    const win = fakeWindow(appUrl);
    lockNavigation(win as never, appUrl);
    expect(win.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(win.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(win.navigate('will-navigate', `${appUrl}#/plates`)).toBe(false);
    expect(win.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(win.open('https://docs.example/page')).toEqual({ action: 'deny' });
    expect(win.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.example/page']);
  });

  it('keeps secure window preferences', () => {
    expect(securePreferences('/p/index.cjs')).toMatchObject({
      preload: '/p/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('puts the strict CSP on every response and refuses every permission', () => {
    let onHeaders:
      | ((
          d: { responseHeaders?: Record<string, string[]> },
          cb: (r: { responseHeaders: Record<string, string[]> }) => void,
        ) => void)
      | null = null;
    let onPermission: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    const session = {
      webRequest: { onHeadersReceived: (fn: typeof onHeaders) => (onHeaders = fn) },
      setPermissionRequestHandler: (fn: typeof onPermission) => (onPermission = fn),
    };
    applyCsp(session as never);
    let headers: Record<string, string[]> = {};
    onHeaders!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => {
      headers = r.responseHeaders;
    });
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [WINDOW_CSP],
    });
    // No inline or eval'd script, no plugins, no frames, no foreign origins.
    expect(WINDOW_CSP).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(WINDOW_CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'|\*/);
    expect(WINDOW_CSP).toContain("object-src 'none'");
    expect(WINDOW_CSP).toContain("frame-src 'none'");
    const answers: boolean[] = [];
    for (const p of ['media', 'notifications', 'geolocation'])
      onPermission!({}, p, (ok) => answers.push(ok));
    expect(answers).toEqual([false, false, false]);
  });
});
