// The one atomic file write: a temp file beside the target, written, fsynced and renamed over it
// (the package write-file-atomic), so readers and a crash see the old file or the new, never half.
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomicPkg from 'write-file-atomic';

/** File contents: text (UTF-8) or bytes (any typed-array view, written as its bytes). */
export type AtomicData = string | ArrayBufferView;

function bytes(data: AtomicData): string | Buffer {
  if (typeof data === 'string') return data;
  // write-file-atomic writes `data.length` elements from offset 0: give it a byte view.
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Replaces `file` with `data` atomically (the folder is created when missing). On any failure the
 * old file is left as it was and the temp file is removed; the error is rethrown.
 */
export async function writeFileAtomic(file: string, data: AtomicData): Promise<void> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomicPkg(file, bytes(data));
}

/** Synchronous `writeFileAtomic`, same guarantees. */
export function writeFileAtomicSync(file: string, data: AtomicData): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomicPkg.sync(file, bytes(data));
}

/** `value` as pretty JSON (2 spaces, final newline), written with `writeFileAtomicSync`. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Whether a file name is a temp file left by a write killed mid-way: write-file-atomic names it
 * `<target>.<uint32>` beside the target (its getTmpname), and removes it itself on any failure that
 * the process survives. Listings of what a folder holds (e.g. a run manifest) skip such names.
 */
export function isAtomicWriteLeftover(name: string): boolean {
  return /^.+\.\d{1,10}$/.test(name);
}
