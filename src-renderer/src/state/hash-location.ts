// A wouter location hook on the URL hash that keeps the route's query inside the hash
// ('#/well/ID?site=2'): wouter's own useHashLocation writes the query into location.search, where
// serve mode keeps its access token; file:// and custom protocols (Electron) work the same way.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((cb) => cb());

function subscribe(cb: () => void): () => void {
  if (listeners.size === 0) {
    window.addEventListener('hashchange', notify);
    window.addEventListener('popstate', notify);
  }
  listeners.add(cb);
  return () => {
    listeners.delete(cb);
    if (listeners.size === 0) {
      window.removeEventListener('hashchange', notify);
      window.removeEventListener('popstate', notify);
    }
  };
}

/** '#/well/X?site=2' → ['/well/X', 'site=2']. */
export function splitHash(hash: string): [string, string] {
  const h = hash.replace(/^#?\/?/, '/');
  const i = h.indexOf('?');
  return i < 0 ? [h, ''] : [h.slice(0, i), h.slice(i + 1)];
}

const currentPath = () => splitHash(window.location.hash)[0];
const currentSearch = () => splitHash(window.location.hash)[1];

/** Pushes (or replaces) '#' + to, keeping path and query of the real URL, and tells subscribers. */
export function navigateHash(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(window.location.href);
  url.hash = to.startsWith('/') ? to : `/${to}`;
  if (url.href === window.location.href) return;
  window.history[opts.replace ? 'replaceState' : 'pushState'](null, '', url.href);
  notify();
}

/** wouter `hook`: [path, navigate]. */
export function useQueryHashLocation(): [string, typeof navigateHash] {
  return [useSyncExternalStore(subscribe, currentPath), navigateHash];
}

/** wouter `searchHook`: the query inside the hash. */
export function useQueryHashSearch(): string {
  return useSyncExternalStore(subscribe, currentSearch);
}

useQueryHashLocation.hrefs = (href: string) => `#${href}`;
useQueryHashLocation.searchHook = useQueryHashSearch;
