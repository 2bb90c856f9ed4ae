// How many threads the data pipeline uses: decode workers per stream, and the libuv thread pool
// (where sharp decodes) of a process that will run the pipeline. No heavy imports: the Electron
// main process uses it when it starts the training process.
import os from 'node:os';

/**
 * Decode workers when none are asked for: one per core but one (the trainer's thread), at least 1.
 * Their sharp decodes run on libuv's thread pool, shared by all threads of a process and 4 threads
 * unless UV_THREADPOOL_SIZE says more (see `threadPoolEnv`).
 */
export function defaultDecodeWorkers(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * Environment for a process that will run the pipeline: UV_THREADPOOL_SIZE raised to the core
 * count (libuv reads it once, at the pool's first use, so it must be set when the process starts).
 */
export function threadPoolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.UV_THREADPOOL_SIZE) return env;
  return { ...env, UV_THREADPOOL_SIZE: String(Math.max(4, os.availableParallelism())) };
}
