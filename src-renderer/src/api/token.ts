// The serve-mode access token: taken from the page URL (?token=) once, kept in sessionStorage,
// and attached to calls, the event socket and media URLs (which <img> cannot send headers for).
const KEY = 'platelab.token';

export function readToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(KEY);
}

/** Adds ?token= to a same-origin media URL; other URLs are returned unchanged. */
export function withToken(url: string, token: string | null): string {
  if (!token || /^(data:|blob:|platelab-media:)/.test(url)) return url;
  const u = new URL(url, window.location.href);
  if (u.origin !== window.location.origin) return url;
  u.searchParams.set('token', token);
  return u.pathname + u.search + u.hash;
}
