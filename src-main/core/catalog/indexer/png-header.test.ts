// The IHDR reader against PNGs encoded by sharp and deliberately damaged copies.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test-support/catalog/fixture';
import { parsePngHeader, PNG_HEADER_BYTES, readPngHeaderSync } from './png-header';

const dir = tempDir('png');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const buf = Buffer.alloc(PNG_HEADER_BYTES);

describe('readPngHeaderSync', () => {
  it('reads width, height and bit depth of real 8- and 16-bit PNGs', async () => {
    const p8 = path.join(dir, 'a.png');
    await sharp(Buffer.alloc(37 * 21, 9), { raw: { width: 37, height: 21, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(p8);
    expect(readPngHeaderSync(p8, buf)).toEqual({
      ok: true,
      header: { width: 37, height: 21, bitDepth: 8, colorType: 0 },
    });
    const p16 = path.join(dir, 'b.png');
    await sharp(Buffer.alloc(5 * 4 * 3, 200), { raw: { width: 5, height: 4, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(p16);
    const h16 = readPngHeaderSync(p16, buf);
    expect(
      h16.ok && h16.header.width === 5 && h16.header.height === 4 && h16.header.bitDepth === 16,
    ).toBe(true);
  });

  it('names what is wrong with truncated, foreign, checksum-damaged and missing files', async () => {
    const good = await sharp(Buffer.alloc(16, 1), { raw: { width: 4, height: 4, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const cases: Array<[string, Buffer, RegExp]> = [
      ['short.png', good.subarray(0, 20), /too short/],
      [
        'jpeg.png',
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(40)]),
        /bad signature/,
      ],
      ['crc.png', Buffer.from(good).fill(0x7f, 17, 18), /checksum/],
    ];
    for (const [name, bytes, reason] of cases) {
      fs.writeFileSync(path.join(dir, name), bytes);
      const r = readPngHeaderSync(path.join(dir, name), buf);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.kind).toBe('corrupt-png');
        expect(r.message).toMatch(reason);
      }
    }
    const missing = readPngHeaderSync(path.join(dir, 'none.png'), buf);
    expect(missing.ok ? 'ok' : missing.kind).toBe('unreadable-file');
    expect(parsePngHeader(Buffer.from(good), good.length)).toEqual({
      width: 4,
      height: 4,
      bitDepth: 8,
      colorType: 0,
    });
  });
});
