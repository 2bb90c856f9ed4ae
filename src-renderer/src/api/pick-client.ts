// Chooses the transport: Electron IPC when the preload exposed window.platelab, else HTTP/WS.
import type { ApiClient } from '../../../src-shared/contract';
import { createHttpClient } from './http-client';
import { createIpcClient } from './ipc-client';
import { readToken, withToken } from './token';

export interface Transport {
  client: ApiClient;
  kind: 'ipc' | 'http';
  /** Makes a media URL from a call result loadable by <img>/<a> (adds the token in serve mode). */
  media(url: string): string;
}

export function pickClient(onConnectionChange?: (connected: boolean) => void): Transport {
  if (window.platelab) {
    return { client: createIpcClient(window.platelab), kind: 'ipc', media: (u) => u };
  }
  const token = readToken();
  return {
    client: createHttpClient({ token, onConnectionChange }),
    kind: 'http',
    media: (u) => withToken(u, token),
  };
}
