// IPC handlers generated from the contract: the route table (core/api/ipc-table) is registered with
// ipcMain as-is — one channel per call, input validated in dispatch — and events go to the window.
import { ipcMain, type BrowserWindow } from 'electron';
import type { Result } from '../../src-shared/contract';
import { forwardEvents } from '../core/api/event-forwarder';
import type { Handlers } from '../core/api/handler-types';
import { createIpcRoutes } from '../core/api/ipc-table';
import type { EventBus } from '../core/app/event-bus';
import { trustedSender } from './security';

const refused: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'IPC from an untrusted frame' },
};

export function registerIpc(
  handlers: Handlers,
  getWindow: () => BrowserWindow | null,
  appUrl: string,
): () => void {
  const routes = createIpcRoutes(handlers);
  for (const route of routes) {
    ipcMain.handle(route.channel, (event, payload: unknown) =>
      trustedSender(event.senderFrame, getWindow(), appUrl) ? route.handle(payload) : refused,
    );
  }
  return () => {
    for (const route of routes) ipcMain.removeHandler(route.channel);
  };
}

/** Sends every bus event to the window (while it exists). */
export function forwardEventsToWindow(
  bus: EventBus,
  getWindow: () => BrowserWindow | null,
): () => void {
  return forwardEvents(bus, (channel, payload) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
  });
}
