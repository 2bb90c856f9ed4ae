// Whether a URL is the app's own page (the built renderer file, or the dev server): used to block
// navigation elsewhere and to answer IPC only from our page. Pure, so it is tested without Electron.

export function isAppUrl(url: string, appUrl: string): boolean {
  let u: URL;
  let a: URL;
  try {
    u = new URL(url);
    a = new URL(appUrl);
  } catch {
    return false;
  }
  if (u.protocol !== a.protocol) return false;
  // file:// — only the renderer's own index.html (the SPA routes in the hash/search, never another file).
  if (a.protocol === 'file:') return u.pathname === a.pathname;
  // dev server — same origin only.
  return (a.protocol === 'http:' || a.protocol === 'https:') && u.origin === a.origin;
}
