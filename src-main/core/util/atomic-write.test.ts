// The atomic write: new contents land whole, and a write that fails part-way (disk full while
// writing, a failed fsync) leaves the old file as it was and no temp file behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from './atomic-write';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-atomic-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('atomic write', () => {
  it('writes text, bytes of any typed array and JSON, creating the folder', async () => {
    const dir = tempDir();
    const f32 = new Float32Array([1.5, -2, 3.25]);
    writeFileAtomicSync(path.join(dir, 'a/w.bin'), f32);
    const back = fs.readFileSync(path.join(dir, 'a/w.bin'));
    expect(back.byteLength).toBe(12);
    expect([...new Float32Array(back.buffer, back.byteOffset, 3)]).toEqual([1.5, -2, 3.25]);
    await writeFileAtomic(path.join(dir, 'b/t.txt'), 'héllo');
    expect(fs.readFileSync(path.join(dir, 'b/t.txt'), 'utf8')).toBe('héllo');
    writeJsonAtomic(path.join(dir, 'c.json'), { a: 1 });
    expect(fs.readFileSync(path.join(dir, 'c.json'), 'utf8')).toBe('{\n  "a": 1\n}\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['a', 'b', 'c.json']);
  });

  it('sync: a write failing part-way keeps the old file and leaves no temp file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.json');
    fs.writeFileSync(file, 'old contents');
    vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw enospc();
    });
    expect(() => writeFileAtomicSync(file, 'new contents')).toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    expect(fs.readFileSync(file, 'utf8')).toBe('old contents');
    expect(fs.readdirSync(dir)).toEqual(['run.json']);
  });

  it('a failed rename keeps the old file and leaves no temp file (the run-folder copy left one)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"old":true}');
    vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    });
    expect(() => writeJsonAtomic(file, { old: false })).toThrow(/EXDEV/);
    vi.restoreAllMocks();
    expect(fs.readFileSync(file, 'utf8')).toBe('{"old":true}');
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });

  it('async: a failed fsync keeps the old file and leaves no temp file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'sprite.png');
    fs.writeFileSync(file, 'old png');
    vi.spyOn(fs, 'fsync').mockImplementation(((_fd: number, cb: (e: Error | null) => void) =>
      cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }))) as typeof fs.fsync);
    await expect(writeFileAtomic(file, Buffer.from('new png'))).rejects.toThrow(/EIO/);
    vi.restoreAllMocks();
    expect(fs.readFileSync(file, 'utf8')).toBe('old png');
    expect(fs.readdirSync(dir)).toEqual(['sprite.png']);
  });
});
