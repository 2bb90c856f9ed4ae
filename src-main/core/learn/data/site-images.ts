// Decodes a site's 6 channel PNGs into one channel-last uint8 image at a resolution, with an
// in-memory cache bounded in bytes. Decoding is the imaging layer's `loadRawSite`, the same as the
// training pipeline's, so prediction sees exactly the pixels training saw.
import { loadRawSite } from '../../imaging/load-site';
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
  const raw = await loadRawSite(root, relPaths, { size: resolution });
  return { size: resolution, data: raw.data };
}
