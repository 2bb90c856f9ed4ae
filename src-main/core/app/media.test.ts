// Media confinement: files resolve only inside their root folder — no `..`, absolute paths, NUL
// bytes, symlinks out, unknown roots — for serve's /media/… paths and Electron's platelab-media:// URLs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRelPath, MEDIA_SCHEME } from '../../../src-shared/wire';
import { relUnder, resolveInside, resolveMediaFile, resolveMediaUrl } from './media';

let dir: string;
let cache: string;
let bases: { cache: string; exports: string };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-media-'));
  cache = path.join(dir, 'cache');
  fs.mkdirSync(path.join(cache, 'sprites'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'exports'));
  fs.writeFileSync(path.join(cache, 'sprites', 'a b#1.png'), 'png');
  fs.writeFileSync(path.join(dir, 'secret.png'), 'secret');
  fs.symlinkSync(path.join(dir, 'secret.png'), path.join(cache, 'escape.png'));
  fs.symlinkSync(dir, path.join(cache, 'up'));
  bases = { cache, exports: path.join(dir, 'exports') };
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('media confinement', () => {
  it('resolves files inside their root, including names that need encoding', () => {
    expect(resolveMediaFile(bases, 'cache', 'sprites/a b#1.png')).toBe(
      path.join(cache, 'sprites', 'a b#1.png'),
    );
    const url = `${MEDIA_SCHEME}://cache/${encodeRelPath('sprites/a b#1.png')}`;
    expect(resolveMediaUrl(bases, MEDIA_SCHEME, url)).toBe(
      path.join(cache, 'sprites', 'a b#1.png'),
    );
    expect(relUnder(cache, path.join(cache, 'sprites', 'x.png'))).toBe('sprites/x.png');
    expect(() => relUnder(cache, path.join(dir, 'secret.png'))).toThrow();
  });

  it('refuses escapes, symlinks out, unknown roots, folders and missing files', () => {
    for (const rel of [
      '../secret.png',
      'sprites/../../secret.png',
      '/etc/passwd',
      'C:/x',
      'escape.png',
      'up/secret.png',
      'a\0b',
      '',
      'sprites',
      'nope.png',
    ]) {
      expect(resolveInside(cache, rel), rel).toBeNull();
    }
    expect(resolveMediaFile(bases, 'dataset', 'x')).toBeNull();
    // Only the file types of each root go out, even from inside it.
    fs.writeFileSync(path.join(cache, 'notes.txt'), 'private');
    expect(resolveInside(cache, 'notes.txt')).toBe(path.join(cache, 'notes.txt'));
    expect(resolveMediaFile(bases, 'cache', 'notes.txt')).toBeNull();
    expect(resolveMediaFile(bases, '__proto__', 'x')).toBeNull();
    expect(resolveMediaFile(bases, 'toString', 'x')).toBeNull();
    for (const url of [
      `${MEDIA_SCHEME}://cache/..%2Fsecret.png`,
      `${MEDIA_SCHEME}://cache/%2e%2e/secret.png`,
      `${MEDIA_SCHEME}://cache/escape.png`,
      `${MEDIA_SCHEME}://runs/x`,
      `${MEDIA_SCHEME}://cache/%E0%A4%A`,
      `file://${path.join(cache, 'sprites', 'a b#1.png')}`,
      'not a url',
    ]) {
      expect(resolveMediaUrl(bases, MEDIA_SCHEME, url), url).toBeNull();
    }
  });
});
