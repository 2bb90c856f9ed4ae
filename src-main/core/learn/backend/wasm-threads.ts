// Multithreaded tfjs wasm in Node. tfjs turns threads off in Node because its loader hands
// Emscripten blob: URLs, which worker_threads cannot start. Here the pthread worker script and the
// module factory are written to real files and a 'wasm' backend is registered from them, so
// XNNPACK spreads convolutions and matrix products over the cores. Any failure leaves tfjs' own
// single-threaded 'wasm' backend in place, with the reason kept for the "why" line.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { bundledTf } from './tf';
import { writeFileAtomicSync } from '../../util/atomic-write';

/** Env override of the thread count (1 = tfjs' single-threaded build). */
export const WASM_THREADS_ENV = 'PLATELAB_WASM_THREADS';

type WasmFactory = ((config: Record<string, unknown>) => Promise<EmscriptenModule>) & {
  toString(): string;
};

type BackendFactory = Parameters<ReturnType<typeof bundledTf>['registerBackend']>[1];

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
}

/** Threads to ask for: PLATELAB_WASM_THREADS, else every logical core. */
export function wantedWasmThreads(): number {
  const raw = process.env[WASM_THREADS_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error(`${WASM_THREADS_ENV} '${raw}' is not a whole number from 1 to 64`);
    return n;
  }
  return Math.max(1, os.cpus().length);
}

/** Writes `text` to `file` unless it already holds it (temp + rename: parallel processes race safely). */
function writeOnce(file: string, text: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === text) return;
  } catch {
    // missing: write it
  }
  writeFileAtomicSync(file, text);
}

/**
 * tfjs sizes its pool from half the logical cores it sees while the module starts; reporting
 * `cores` for that moment lets the requested count through.
 */
async function withReportedCores<T>(cores: number, fn: () => Promise<T>): Promise<T> {
  const real = os.cpus;
  const list = real();
  if (list.length >= cores) return fn();
  os.cpus = () => Array.from({ length: cores }, (_, i) => list[i % list.length]!);
  try {
    return await fn();
  } finally {
    os.cpus = real;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

type Handler = (...args: unknown[]) => void;
const crashEvents = ['uncaughtException', 'unhandledRejection'];
// Node's typings overload these per event name; a plain emitter view keeps one code path.
const emitter = process as unknown as {
  listeners(event: string): Handler[];
  removeListener(event: string, handler: Handler): void;
};

function processHandlers(): Set<Handler> {
  return new Set(crashEvents.flatMap((e) => emitter.listeners(e)));
}

/**
 * Emscripten's module adds process handlers that rethrow every uncaught error from inside its
 * 100 KB one-line source, so Node prints that whole line with any crash; ours report cleanly.
 */
function dropHandlersAddedSince(before: Set<Handler>): void {
  for (const e of crashEvents)
    for (const h of emitter.listeners(e)) if (!before.has(h)) emitter.removeListener(e, h);
}

let registered: number | null = null;
/** tfjs' own 'wasm' factory, kept to fall back to. */
let original: BackendFactory | null = null;

/**
 * Replaces the registered 'wasm' backend factory with one that loads the threaded SIMD build
 * with `threads` XNNPACK threads. Call before tf.setBackend('wasm'). Returns false (doing
 * nothing) for threads ≤ 1.
 */
export function registerThreadedWasm(
  wasm: typeof import('@tensorflow/tfjs-backend-wasm'),
  threads: number,
): boolean {
  if (threads <= 1) return false;
  if (registered === threads) return true;
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const version = (require(path.join(pkgDir, 'package.json')) as { version: string }).version;
  const factory = require(
    path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js'),
  ) as WasmFactory;
  const { wasmWorkerContents } = require(
    path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const wasmFile = path.join(pkgDir, 'dist/tfjs-backend-wasm-threaded-simd.wasm');
  if (!fs.existsSync(wasmFile)) throw new Error(`${wasmFile} is missing`);

  // A folder per tfjs version; files are plain CommonJS (no package.json above os.tmpdir()).
  const dir = path.join(os.tmpdir(), `platelab-tfjs-wasm-${version}`);
  fs.mkdirSync(dir, { recursive: true });
  const workerFile = path.join(dir, 'pthread-worker.js');
  const mainFile = path.join(dir, 'module-factory.js');
  // Newlines inside the worker's string literals arrive unescaped (tfjs escapes them for its Blob).
  writeOnce(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
  // Each pthread worker evaluates this file and expects the factory under this global name.
  writeOnce(mainFile, `var WasmBackendModuleThreadedSimd = ${factory.toString()}\n`);

  const tf = bundledTf();
  original ??= tf.findBackendFactory('wasm') as BackendFactory | null;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    () =>
      withReportedCores(threads * 2, async () => {
        const before = processHandlers();
        let mod: EmscriptenModule;
        try {
          mod = await withTimeout(
            factory({
              locateFile: (file: string, prefix: string) =>
                file.endsWith('.worker.js')
                  ? workerFile
                  : file.endsWith('.wasm')
                    ? wasmFile
                    : prefix + file,
              mainScriptUrlOrBlob: mainFile,
            }),
            60_000,
            'the threaded wasm module',
          );
        } finally {
          // Also after a failed start: the fallback must not inherit the rethrowing handlers.
          dropHandlersAddedSince(before);
        }
        // The same C entry points tfjs' own loader wraps.
        mod.tfjs = {
          init: mod.cwrap('init', null, []),
          initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
          getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
          registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
          disposeData: mod.cwrap('dispose_data', null, ['number']),
          dispose: mod.cwrap('dispose', null, []),
        };
        wasm.setThreadsCount(threads);
        const backend = new wasm.BackendWasm(mod as never) as BackendWasm;
        // XNNPACK's pool threads live as long as the module; unref'd, they no longer keep the
        // process alive after its work is done (CLI commands, training children).
        const pool = mod.PThread;
        for (const w of [...(pool?.runningWorkers ?? []), ...(pool?.unusedWorkers ?? [])])
          w.unref();
        return backend;
      }),
    2,
  );
  registered = threads;
  return true;
}

/** Puts tfjs' own single-threaded loader back (after the threaded one failed to start). */
export function restoreSingleThreadWasm(
  wasm: typeof import('@tensorflow/tfjs-backend-wasm'),
): void {
  if (!original) return;
  const tf = bundledTf();
  tf.removeBackend('wasm');
  wasm.setThreadsCount(1);
  tf.registerBackend('wasm', original, 2);
  registered = null;
}
