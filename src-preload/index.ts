// The preload bridge: `window.platelab` with one typed function per contract call and one
// subscription per event, generated from the contract's name lists. Nothing generic (no invoke/on
// taking a channel) crosses into the page, and payloads are validated again in main.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  callNames,
  eventNames,
  type CallName,
  type EventName,
  type Result,
} from '../src-shared/contract';
import {
  BRIDGE_KEY,
  ipcCallChannel,
  ipcEventChannel,
  type PlateLabBridge,
} from '../src-shared/wire';

function callFunction<K extends CallName>(name: K): PlateLabBridge['calls'][K] {
  const channel = ipcCallChannel(name);
  // The channel is fixed here, per call; the page can only pass the input.
  const fn = (input: unknown) => ipcRenderer.invoke(channel, input) as Promise<Result<unknown>>;
  return fn as PlateLabBridge['calls'][K];
}

function eventSubscription<K extends EventName>(name: K): PlateLabBridge['events'][K] {
  const channel = ipcEventChannel(name);
  const subscribe = (listener: (payload: unknown) => void) => {
    // The IPC event object (with its sender) is never handed to the page: only the payload.
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  };
  return subscribe as PlateLabBridge['events'][K];
}

function buildBridge(): PlateLabBridge {
  const calls = Object.fromEntries(
    callNames.map((n) => [n, callFunction(n)]),
  ) as PlateLabBridge['calls'];
  const events = Object.fromEntries(
    eventNames.map((n) => [n, eventSubscription(n)]),
  ) as PlateLabBridge['events'];
  return { calls: Object.freeze(calls), events: Object.freeze(events) };
}

contextBridge.exposeInMainWorld(BRIDGE_KEY, buildBridge());
