// A task run on a worker thread: the same child-task mechanism (child-task.ts: progress, events,
// graceful cancel then terminate, one result or a readable error) with a thread instead of a
// process. An uncaught error in the thread fails the task, never the main thread.
import { runChildTask, type ChildSpawner } from './child-task';
import { startWorker, type EntryRef } from './entries';

export interface WorkerTaskOptions<I> {
  /** The entry (entries.ts name, or a module file for tests); a missing one rejects (INTERNAL). */
  entry: EntryRef;
  input: I;
  /** Names the thread in errors: "indexing worker ended unexpectedly …". */
  label: string;
  signal?: AbortSignal;
  onProgress?(done: number, total: number, message?: string): void;
  /** The task's own events (TaskControl.emit), in order. */
  onEvent?(event: unknown): void;
  /** After a cancel, the thread is terminated if it has not ended by then. Default 10 s. */
  killAfterMs?: number;
  /** Called with the worker's thread id once it has started (tests check it is not the main one). */
  onStart?(threadId: number): void;
}

/** A ChildSpawner whose "child" is a worker thread on the entry; `pid` stays this process's. */
export function threadSpawner(onStart?: (threadId: number) => void): ChildSpawner {
  return (entry, hooks) => {
    const worker = startWorker({ file: entry });
    onStart?.(worker.threadId);
    let gone = false;
    worker.on('message', (msg: unknown) => hooks.onMessage(msg));
    // The uncaught error's message goes where a process's stderr tail would.
    worker.on('error', (err) => hooks.onStderr(`\n${err.message}`));
    worker.on('exit', (code) => {
      gone = true;
      hooks.onExit(`exit code ${code}`);
    });
    return {
      pid: process.pid,
      post: (msg) => {
        if (!gone) worker.postMessage(msg);
      },
      kill: () => {
        if (!gone) void worker.terminate();
      },
    };
  };
}

/** Runs the task on a new worker thread; `signal` cancels it. */
export function runWorkerTask<I, R>(opts: WorkerTaskOptions<I>): Promise<R> {
  const { onStart, ...rest } = opts;
  return runChildTask<I, R>({ ...rest, spawn: threadSpawner(onStart) });
}
