// Forwards every bus event to a sink (Electron: webContents.send on the event's channel). A plain
// function so the IPC test double uses exactly what the desktop shell uses.
import { ipcEventChannel } from '../../../src-shared/wire';
import type { EventBus } from '../app/event-bus';

export function forwardEvents(
  bus: EventBus,
  send: (channel: string, payload: unknown) => void,
): () => void {
  return bus.subscribe((m) => send(ipcEventChannel(m.event), m.payload));
}
