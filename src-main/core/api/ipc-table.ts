// The IPC handler table, generated from the contract: one channel per call, each validating its
// payload and answering with an envelope. Plain data + functions, so tests run it without Electron.
import { callNames, type CallName, type Result } from '../../../src-shared/contract';
import { ipcCallChannel } from '../../../src-shared/wire';
import { dispatch } from './dispatch';
import type { Handlers } from './handler-types';

export interface IpcRoute {
  call: CallName;
  channel: string;
  handle(payload: unknown): Promise<Result<unknown>>;
}

export function createIpcRoutes(handlers: Handlers): IpcRoute[] {
  return callNames.map((call) => ({
    call,
    channel: ipcCallChannel(call),
    handle: (payload: unknown) => dispatch(handlers, call, payload),
  }));
}
