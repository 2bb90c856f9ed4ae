// The serve-mode HTTP server: the built UI, POST /api/call/<name>, WebSocket /api/events and /media/…,
// with the access rules of auth.ts applied to every request (and to the WebSocket upgrade).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  API_CALL_PREFIX,
  API_EVENTS_PATH,
  MEDIA_HTTP_PREFIX,
  TOKEN_PARAM,
} from '../../src-shared/wire';
import type { Handlers } from '../core/api/handler-types';
import type { AppContext } from '../core/app/app-context';
import { handleApiCall } from './api-route';
import { hostAllowed, isLoopbackHost, originAllowed, TOKEN_COOKIE, tokenAccepted } from './auth';
import { createEventsSocket } from './events-socket';
import { sendError } from './http-util';
import { serveMedia } from './media-route';
import { serveStatic } from './static-files';

export interface ServerOptions {
  ctx: AppContext;
  handlers: Handlers;
  host?: string;
  port?: number;
  /** Required for non-loopback binds (the caller makes one with newToken()); ignored on loopback unless `requireToken`. */
  token?: string;
  /** Forces the token check even on loopback (tests). */
  requireToken?: boolean;
  /** The built renderer folder (out/renderer). */
  staticDir: string;
}

export interface RunningServer {
  host: string;
  port: number;
  /** What the user opens: with `?token=` when a token is required. */
  url: string;
  token: string | null;
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const tokenRequired = Boolean(opts.requireToken) || !isLoopbackHost(host);
  const token = tokenRequired ? (opts.token ?? null) : null;
  if (tokenRequired && !token)
    throw new Error(`binding ${host} (beyond loopback) needs an access token`);
  const events = createEventsSocket(opts.ctx.events);
  let port = opts.port ?? 0;

  /** null when the request may go on; else the status to refuse it with. */
  const gate = (
    req: http.IncomingMessage,
    url: URL,
  ): { status: number; message: string } | { cookie?: string } => {
    if (!hostAllowed(req, tokenRequired)) return { status: 403, message: 'unexpected Host header' };
    if (!originAllowed(req)) return { status: 403, message: 'cross-origin request refused' };
    if (!token) return {};
    const t = tokenAccepted(token, req, url);
    if (!t.ok)
      return {
        status: 401,
        message: 'access token missing or wrong: open the URL printed at start (…/?token=…)',
      };
    // Opening the page with ?token= sets a cookie so the page's own assets and images load too.
    return t.via === 'query'
      ? {
          cookie: `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        }
      : {};
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = gate(req, url);
    if ('status' in verdict) {
      req.resume();
      sendError(
        res,
        { code: verdict.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: verdict.message },
        verdict.status,
      );
      return;
    }
    const extra: Record<string, string> = verdict.cookie ? { 'set-cookie': verdict.cookie } : {};
    const path = url.pathname;
    if (path.startsWith(API_CALL_PREFIX)) {
      handleApiCall(opts.handlers, req, res, url).catch((err: unknown) => {
        console.error('request failed:', err);
        if (!res.headersSent) sendError(res, { code: 'INTERNAL', message: 'request failed' });
        else res.destroy();
      });
      return;
    }
    if (path.startsWith(MEDIA_HTTP_PREFIX)) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, { code: 'VALIDATION', message: 'media is read-only' }, 405);
        return;
      }
      serveMedia(opts.ctx, path, res, req.method === 'HEAD');
      return;
    }
    if (path.startsWith('/api/')) {
      sendError(res, { code: 'NOT_FOUND', message: `no API route ${path}` }, 404);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, { code: 'VALIDATION', message: `${req.method} is not supported here` }, 405);
      return;
    }
    serveStatic(opts.staticDir, path, res, extra);
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== API_EVENTS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    const verdict = gate(req, url);
    if ('status' in verdict)
      return refuseUpgrade(
        socket,
        verdict.status,
        verdict.status === 401 ? 'Unauthorized' : 'Forbidden',
      );
    events.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shownHost}:${port}/`;
  return {
    host,
    port,
    url: token ? `${base}?${TOKEN_PARAM}=${encodeURIComponent(token)}` : base,
    token,
    close: async () => {
      await events.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
