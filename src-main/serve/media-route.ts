// GET /media/<root>/<relative path>: thumbnails and rendered sites (cache), raw channel PNGs (the open
// dataset) and exported files; any path outside those folders is refused with 404.
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { MEDIA_HTTP_PREFIX } from '../../src-shared/wire';
import type { AppContext } from '../core/app/app-context';
import { mediaContentType, resolveMediaFile } from '../core/app/media';
import { SECURITY_HEADERS } from './http-util';

export function serveMedia(
  ctx: AppContext,
  pathname: string,
  res: ServerResponse,
  head = false,
): void {
  const rest = pathname.slice(MEDIA_HTTP_PREFIX.length);
  const slash = rest.indexOf('/');
  let file: string | null = null;
  if (slash > 0) {
    try {
      const root = decodeURIComponent(rest.slice(0, slash));
      const rel = rest
        .slice(slash + 1)
        .split('/')
        .map((s) => decodeURIComponent(s))
        .join('/');
      file = resolveMediaFile(ctx.mediaBases(), root, rel);
    } catch {
      file = null;
    }
  }
  if (!file) {
    res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
    return;
  }
  const size = fs.statSync(file).size;
  const type = mediaContentType(file);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': size,
    // Cache files are named by content digest; exports may be rewritten.
    'cache-control': pathname.startsWith(`${MEDIA_HTTP_PREFIX}cache/`)
      ? 'private, max-age=3600'
      : 'no-cache',
    ...(type.startsWith('text/csv') || type === 'image/svg+xml'
      ? { 'content-disposition': 'attachment' }
      : {}),
  });
  if (head) res.end();
  else fs.createReadStream(file).pipe(res);
}
