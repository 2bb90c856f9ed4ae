// Serves the built renderer (out/renderer) with a single-page-app fallback to index.html, confined
// to that folder; when the renderer is not built the page says how to build it.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { resolveInside } from '../core/app/media';
import { SECURITY_HEADERS } from './http-util';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The page's CSP: our own scripts only; inline styles for Mantine; events over our WebSocket. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: Buffer | string,
  cache: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': cache,
    ...(type.startsWith('text/html') ? { 'content-security-policy': PAGE_CSP } : {}),
    ...extra,
  });
  res.end(body);
}

export function serveStatic(
  staticDir: string,
  pathname: string,
  res: ServerResponse,
  extra: Record<string, string> = {},
): void {
  const index = path.join(staticDir, 'index.html');
  if (!fs.existsSync(index)) {
    send(
      res,
      503,
      'text/html; charset=utf-8',
      `<!doctype html><title>PlateLab</title><p>The PlateLab UI is not built (${index} is missing). ` +
        'Build it with <code>npx vite build -c src-renderer/vite.config.ts</code> or run <code>npm start</code>.</p>',
      'no-store',
      extra,
    );
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    rel = '';
  }
  const file = rel ? resolveInside(staticDir, rel) : null;
  if (file) {
    const ext = path.extname(file).toLowerCase();
    // Vite's hashed assets never change; everything else is revalidated.
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    send(res, 200, TYPES[ext] ?? 'application/octet-stream', fs.readFileSync(file), cache, extra);
    return;
  }
  // A missing asset is a 404; any other path is a client-side route of the single-page app.
  if (/\.[A-Za-z0-9]{1,8}$/.test(rel)) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found', 'no-store', extra);
    return;
  }
  send(res, 200, 'text/html; charset=utf-8', fs.readFileSync(index), 'no-cache', extra);
}
