// Decodes a site's 6 channel PNGs into one channel-last uint8 image at the training resolution, with
// an in-memory cache bounded in bytes. (Stand-in until imaging/pipeline serves training batches.)
import path from 'node:path';
import sharp from 'sharp';
import { inputError } from '../../errors';

export interface DecodedSite {
  size: number;
  /** size × size × 6, channel-last. */
  data: Uint8Array;
}

export class SiteImageCache {
  private readonly cache = new Map<string, Promise<DecodedSite>>();
  private bytes = 0;

  constructor(
    private readonly root: string,
    private readonly resolution: number,
    private readonly maxBytes = 1.5 * 1024 ** 3,
  ) {}

  get(key: string, relPaths: string[]): Promise<DecodedSite> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const p = decodeSite(this.root, relPaths, this.resolution);
    const perSite = this.resolution * this.resolution * 6;
    if (this.bytes + perSite <= this.maxBytes) {
      this.cache.set(key, p);
      this.bytes += perSite;
      // A failed decode must not stay cached: the next epoch reports it again rather than hiding it.
      p.catch(() => {
        this.cache.delete(key);
        this.bytes -= perSite;
      });
    }
    return p;
  }
}

export async function decodeSite(
  root: string,
  relPaths: string[],
  resolution: number,
): Promise<DecodedSite> {
  if (relPaths.length !== 6)
    throw inputError(`site needs 6 channel images, got ${relPaths.length}`);
  const planes = await Promise.all(
    relPaths.map(async (rel) => {
      const file = path.join(root, rel);
      try {
        return await sharp(file)
          .greyscale()
          .resize(resolution, resolution, { fit: 'fill' })
          .raw()
          .toBuffer();
      } catch (err) {
        throw inputError(`${file}: cannot decode image: ${(err as Error).message}`);
      }
    }),
  );
  const n = resolution * resolution;
  const data = new Uint8Array(n * 6);
  for (let c = 0; c < 6; c++) {
    const plane = planes[c]!;
    for (let i = 0; i < n; i++) data[i * 6 + c] = plane[i]!;
  }
  return { size: resolution, data };
}
