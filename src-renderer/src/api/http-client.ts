// ApiClient for serve mode: calls are POST /api/call/<name> returning the result envelope; events
// arrive on one WebSocket at /api/events that reconnects with exponential backoff.
import type { ApiClient, ErrorInfo, EventName, Result } from '../../../src-shared/contract';
import { API_EVENTS_PATH, callPath, parseWireEvent, TOKEN_PARAM } from '../../../src-shared/wire';

type Listener = (payload: unknown) => void;

export interface HttpClientOptions {
  baseUrl?: string;
  token: string | null;
  onConnectionChange?: (connected: boolean) => void;
}

function failure(
  code: string,
  message: string,
  details?: unknown,
): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code, message, details } };
}

export function createHttpClient(opts: HttpClientOptions): ApiClient & { close(): void } {
  const base = opts.baseUrl ?? '';
  const listeners = new Map<string, Set<Listener>>();
  let socket: WebSocket | null = null;
  let retry = 0;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = (): void => {
    if (closed) return;
    const origin = base || window.location.origin;
    const url = new URL(API_EVENTS_PATH, origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (opts.token) url.searchParams.set(TOKEN_PARAM, opts.token);
    const ws = new WebSocket(url.toString());
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      opts.onConnectionChange?.(true);
    };
    ws.onmessage = (msg) => {
      // Validated against the contract; a malformed or unknown frame is dropped, never thrown.
      const parsed = parseWireEvent(String(msg.data));
      if (!parsed) return;
      for (const l of listeners.get(parsed.event) ?? []) l(parsed.payload);
    };
    ws.onclose = () => {
      opts.onConnectionChange?.(false);
      if (closed) return;
      // Backoff: 0.25 s, 0.5 s, 1 s … capped at 8 s, so a restarted server is picked up quickly.
      const delay = Math.min(8000, 250 * 2 ** retry);
      retry += 1;
      timer = setTimeout(connect, delay);
    };
  };
  connect();

  return {
    async call(name, input) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let res: Response;
      try {
        res = await fetch(`${base}${callPath(name)}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
        });
      } catch (err) {
        return failure('NETWORK', `Cannot reach the PlateLab server (${String(err)}).`);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        return failure('BAD_RESPONSE', `The server answered ${res.status} without a JSON result.`);
      }
      if (body && typeof body === 'object' && 'ok' in body) {
        return body as Result<never>;
      }
      if (res.status === 401) return failure('UNAUTHORIZED', 'Access token missing or wrong.');
      return failure('BAD_RESPONSE', `The server answered ${res.status} with an unexpected body.`);
    },
    on(name: EventName, listener) {
      const set = listeners.get(name) ?? new Set<Listener>();
      set.add(listener as Listener);
      listeners.set(name, set);
      return () => {
        set.delete(listener as Listener);
      };
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
