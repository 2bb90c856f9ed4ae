// Decodes one channel PNG to an 8-bit plane with sharp (optionally resized on decode).
// 16-bit inputs are scaled to 0–255 by v8 = round(v16 / 257): the full 16-bit range maps linearly
// onto the full 8-bit range (no per-image stretch), so a 16-bit copy of an 8-bit image (v·257)
// decodes to exactly the original bytes. Colour inputs keep their first band.
import fs from 'node:fs/promises';
import sharp from 'sharp';
import { inputError } from '../errors';

export interface Plane {
  width: number;
  height: number;
  /** One byte per pixel, row-major. */
  data: Uint8Array;
}

export interface DecodeOptions {
  /** Resize to size×size (fill) while decoding; omitted = native size. */
  size?: number;
}

/** Bit depth from a PNG's IHDR (byte 24), or null for anything that is not a PNG. */
export function pngBitDepth(buf: Uint8Array): number | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 29 || sig.some((b, i) => buf[i] !== b)) return null;
  return buf[24]!;
}

/** Decodes one channel image. Missing or unreadable files throw INVALID_INPUT naming the file. */
export async function decodeChannel(file: string, opts: DecodeOptions = {}): Promise<Plane> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'file is missing' : code === 'EISDIR' ? 'is a folder' : String(err);
    throw inputError(`${file}: cannot read channel image (${why})`, { file });
  }
  return decodeChannelBuffer(bytes, file, opts);
}

/** Decodes an in-memory channel image; `file` only names it in errors. */
export async function decodeChannelBuffer(
  bytes: Buffer,
  file: string,
  opts: DecodeOptions = {},
): Promise<Plane> {
  const wide = pngBitDepth(bytes) === 16;
  try {
    let img = sharp(bytes, { failOn: 'error' });
    if (opts.size) img = img.resize(opts.size, opts.size, { fit: 'fill', fastShrinkOnLoad: true });
    // 'b-w' is libvips' cheapest single-band 8-bit output; 16-bit input goes through 'grey16' so
    // we do the scaling (libvips' grey16 → b-w conversion is not a plain linear scale).
    img = wide
      ? img.toColourspace('grey16').raw({ depth: 'ushort' })
      : img.toColourspace('b-w').raw();
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    return toPlane(data, info.width, info.height, info.channels, file);
  } catch (err) {
    if (err instanceof Error && err.name === 'PlateLabError') throw err;
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw inputError(`${file}: cannot decode channel image (${msg})`, { file });
  }
}

/** Reduces raw samples (1 or more bands, 8 or 16 bit) to one 8-bit plane (band 0). */
export function toPlane(
  buf: Buffer,
  width: number,
  height: number,
  channels: number,
  file: string,
): Plane {
  const n = width * height;
  const bytesPerSample = buf.length / (n * channels);
  if (bytesPerSample === 1) {
    if (channels === 1)
      return { width, height, data: new Uint8Array(buf.buffer, buf.byteOffset, n) };
    const data = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += channels) data[i] = buf[j]!;
    return { width, height, data };
  }
  if (bytesPerSample === 2) {
    // Native (little-endian) 16-bit samples; copy when the buffer is not 2-byte aligned.
    const aligned = buf.byteOffset % 2 === 0 ? buf : Buffer.from(buf);
    const src = new Uint16Array(aligned.buffer, aligned.byteOffset, n * channels);
    const data = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += channels) data[i] = Math.round(src[j]! / 257);
    return { width, height, data };
  }
  throw inputError(
    `${file}: unsupported sample layout (${buf.length} bytes for ${width}×${height}×${channels})`,
    {
      file,
    },
  );
}
