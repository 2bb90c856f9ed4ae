// The platelab-media:// protocol: thumbnails, rendered sites, channel PNGs and exports for the window,
// resolved only inside the cache, exports and open dataset folders (everything else is a 404).
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { MEDIA_SCHEME, encodeRelPath, type MediaRoot } from '../../src-shared/wire';
import type { AppContext } from '../core/app/app-context';
import { resolveMediaUrl } from '../core/app/media';

/** Must run before the app is ready. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
    },
  ]);
}

export function mediaUrl(root: MediaRoot, rel: string): string {
  return `${MEDIA_SCHEME}://${root}/${encodeRelPath(rel)}`;
}

export function handleMediaProtocol(ctx: AppContext): void {
  protocol.handle(MEDIA_SCHEME, (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response('method not allowed', { status: 405 });
    const file = resolveMediaUrl(ctx.mediaBases(), MEDIA_SCHEME, request.url);
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
}
