// Access control of serve mode: loopback binds need no token (but refuse foreign Host/Origin headers,
// which stops DNS rebinding and cross-site requests); any other bind needs the token on every request
// as `Authorization: Bearer`, `?token=`, or the HttpOnly cookie set when the page was opened with it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PARAM } from '../../src-shared/wire';

export const TOKEN_COOKIE = 'platelab_token';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The token a request presents, from header, query or cookie (in that order), with where it came from. */
export function presentedToken(
  req: IncomingMessage,
  url: URL,
): { token: string; via: 'header' | 'query' | 'cookie' } | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), via: 'header' };
  const q = url.searchParams.get(TOKEN_PARAM);
  if (q) return { token: q, via: 'query' };
  const c = cookieToken(req);
  return c ? { token: c, via: 'cookie' } : null;
}

export function tokenAccepted(
  expected: string,
  req: IncomingMessage,
  url: URL,
): { ok: boolean; via?: 'header' | 'query' | 'cookie' } {
  const p = presentedToken(req, url);
  return p && sameSecret(p.token, expected) ? { ok: true, via: p.via } : { ok: false };
}

/**
 * Host names a request may address a loopback server by: loopback names only, so a page of another
 * site that rebinds its DNS name to 127.0.0.1 is refused (any port: a dev proxy may forward its own).
 */
export function hostAllowed(req: IncomingMessage, tokenRequired: boolean): boolean {
  // With a token, the token is the protection; the host may be any name the machine is reached by.
  if (tokenRequired) return true;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(req.headers.host ?? '');
  return m !== null && isLoopbackHost(m[1]!);
}

/**
 * A cross-site request (an Origin of another site) is refused; same-origin requests, pages served
 * from a loopback name (e.g. the UI's dev server) and non-browser clients (no Origin) pass.
 */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const u = new URL(origin);
    return u.host === req.headers.host || isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}
