// Reads a PNG's IHDR (width, height, bit depth, colour type) from its first 33 bytes, without
// decoding anything: the signature, the chunk length/type and the chunk CRC must all check out.
import fs from 'node:fs';
import zlib from 'node:zlib';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/** Bytes needed: 8 signature + 4 length + 4 type + 13 IHDR data + 4 CRC. */
export const PNG_HEADER_BYTES = 33;
const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
const BIT_DEPTHS = new Set([1, 2, 4, 8, 16]);

/** Returns the header, or a sentence saying why the bytes are not a valid PNG start. */
export function parsePngHeader(buf: Buffer, length: number): PngHeader | string {
  if (length < PNG_HEADER_BYTES) return `too short for a PNG (${length} bytes)`;
  if (buf.compare(SIGNATURE, 0, 8, 0, 8) !== 0) return 'not a PNG (bad signature)';
  if (buf.readUInt32BE(8) !== 13 || buf.toString('latin1', 12, 16) !== 'IHDR')
    return 'PNG does not start with an IHDR chunk';
  if (zlib.crc32(buf.subarray(12, 29)) !== buf.readUInt32BE(29)) return 'IHDR checksum mismatch';
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const bitDepth = buf[24]!;
  if (width === 0 || height === 0) return `PNG has zero size (${width}×${height})`;
  if (!BIT_DEPTHS.has(bitDepth)) return `PNG bit depth ${bitDepth} is invalid`;
  return { width, height, bitDepth, colorType: buf[25]! };
}

export type HeaderRead =
  | { ok: true; header: PngHeader }
  | { ok: false; kind: 'corrupt-png' | 'unreadable-file'; message: string };

/** Opens the file, reads just its first bytes and closes it again. `buf` is reused between calls. */
export function readPngHeaderSync(absPath: string, buf: Buffer): HeaderRead {
  let fd: number;
  try {
    fd = fs.openSync(absPath, 'r');
  } catch (err) {
    return {
      ok: false,
      kind: 'unreadable-file',
      message: `cannot open: ${(err as Error).message}`,
    };
  }
  try {
    const n = fs.readSync(fd, buf, 0, PNG_HEADER_BYTES, 0);
    const parsed = parsePngHeader(buf, n);
    return typeof parsed === 'string'
      ? { ok: false, kind: 'corrupt-png', message: parsed }
      : { ok: true, header: parsed };
  } catch (err) {
    return {
      ok: false,
      kind: 'unreadable-file',
      message: `cannot read: ${(err as Error).message}`,
    };
  } finally {
    fs.closeSync(fd);
  }
}
