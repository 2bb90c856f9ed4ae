// The one way PlateLab starts work off the main thread: every child-process and worker-thread entry
// is named in ENTRIES. From source (tsx, vitest) an entry is its .ts file run through tsx; in a built
// bundle (electron-vite's out/main) it is the built `<name>.js` beside the bundle's chunks.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { PlateLabError } from '../errors';

/**
 * Every off-thread entry: name → its source under src-main/core. electron.vite.config.ts builds each
 * one as a main-process input named after its key (so `out/main/<name>.js`).
 */
export const ENTRIES = {
  'training-child': 'learn/train/train-child.ts',
  'predict-child': 'learn/predict/predict-child.ts',
  'index-worker': 'catalog/indexer/index-worker.ts',
  'scan-worker': 'catalog/indexer/scan-worker.ts',
  'pixel-worker': 'catalog/indexer/pixel-worker.ts',
  'pipeline-worker': 'imaging/pipeline/worker.ts',
  'embed-worker': 'learn/embed/embed-worker.ts',
} as const;

export type EntryName = keyof typeof ENTRIES;
/** A named entry, or an explicit module file (tests' fixtures): `.ts` runs through tsx. */
export type EntryRef = EntryName | { file: string };

const selfFile = fileURLToPath(import.meta.url);
const here = path.dirname(selfFile);
const coreDir = path.resolve(here, '..');
/** True when this module runs from its TypeScript source, false inside a built bundle. */
export const fromSource = selfFile.endsWith('.ts');

/**
 * The absolute file of an entry: `src-main/core/<ENTRIES[name]>` from source, `<bundle dir>/<name>.js`
 * in a bundle. Throws INTERNAL naming the file when it is not on disk (never an in-process fallback).
 */
export function entryFile(ref: EntryRef): string {
  const file =
    typeof ref === 'object'
      ? path.resolve(ref.file)
      : fromSource
        ? path.join(coreDir, ENTRIES[ref])
        : path.join(here, `${ref}.js`);
  if (!fs.existsSync(file)) {
    const what = typeof ref === 'object' ? 'entry' : `the ${ref} entry`;
    throw new PlateLabError(
      'INTERNAL',
      `${file}: ${what} is missing${fromSource ? '' : ' from the built bundle (electron-vite build lists it in electron.vite.config.ts)'}`,
    );
  }
  return file;
}

/**
 * The `execArgv` that makes a forked Node child run TypeScript: `--import <file URL of tsx's
 * loader>`, resolved from this package's own node_modules (a bare `--import tsx` would be resolved
 * from the child's working folder). Throws MODULE_NOT_FOUND only where tsx is not installed at all.
 */
export function tsxExecArgv(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

/** `execArgv` for forking `file` in a Node child: tsx for a `.ts` source, nothing for built JS. */
export function childExecArgv(file: string): string[] {
  return file.endsWith('.ts') ? tsxExecArgv() : [];
}

/**
 * Starts a worker thread on an entry. A `.ts` source starts through tsx-worker-boot.mjs (a fresh
 * thread cannot load TypeScript by itself), which gets the source as its last argv; built JS starts
 * directly. `options.workerData` etc. pass through unchanged. Errors: see `entryFile`.
 */
export function startWorker(ref: EntryRef, options: WorkerOptions = {}): Worker {
  const file = entryFile(ref);
  if (!file.endsWith('.ts')) return new Worker(file, options);
  return new Worker(path.join(here, 'tsx-worker-boot.mjs'), {
    ...options,
    argv: [...(options.argv ?? []), file],
  });
}
