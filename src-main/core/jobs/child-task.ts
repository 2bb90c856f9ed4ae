// Parent side of a task run in its own process (the pattern training uses, made generic): spawns
// the task's entry (node fork through tsx by default; Electron passes a utilityProcess spawner),
// relays progress, cancels gracefully (then kills after a grace period), and settles with the
// task's result or a readable error. A crashed child only rejects; it never throws into the parent.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { cancelledError, PlateLabError, type ErrorCode } from '../errors';
import { isFromTask, type FromTask, type ToTask } from './child-task-protocol';

export interface SpawnHooks {
  onMessage(msg: unknown): void;
  onStderr(text: string): void;
  /** Called once when the process is gone; `how` reads like "exit code 3" or "signal SIGKILL". */
  onExit(how: string): void;
}

export interface SpawnedChild {
  pid: number | undefined;
  /** Never throws: a message to a process that is gone is dropped. */
  post(msg: ToTask): void;
  kill(): void;
}

/** Starts `entry` (a module that calls serveChildTask) in a new process. */
export type ChildSpawner = (entry: string, hooks: SpawnHooks) => SpawnedChild;

/**
 * The `execArgv` that makes a forked Node child run TypeScript: `--import <file URL of tsx's
 * loader>`, resolved from this package's own node_modules. A bare `--import tsx` is resolved from
 * the child's working folder, so `platelab train` run outside the repository failed with
 * ERR_MODULE_NOT_FOUND. Throws (MODULE_NOT_FOUND) only where tsx is not installed at all.
 */
export function tsxExecArgv(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

/** Node: fork the TypeScript entry through tsx, as serve mode and the CLI run everything. */
export const forkSpawner: ChildSpawner = (entry, hooks) => {
  const child = fork(entry, [], {
    execArgv: tsxExecArgv(),
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env },
  });
  let gone = false;
  const exit = (how: string): void => {
    if (gone) return;
    gone = true;
    hooks.onExit(how);
  };
  child.stderr?.on('data', (d: Buffer) => hooks.onStderr(d.toString()));
  child.on('message', (m) => hooks.onMessage(m));
  child.on('exit', (code, signal) => exit(signal ? `signal ${signal}` : `exit code ${code}`));
  child.on('error', (err) => {
    // A spawn failure never emits 'exit'; a failed send or kill is followed by 'exit' anyway.
    if (child.pid === undefined) exit(`could not start: ${err.message}`);
    else hooks.onStderr(`\n${err.message}`);
  });
  return {
    pid: child.pid,
    post: (msg) => {
      if (child.connected) child.send(msg, (err) => err && hooks.onStderr(`\n${err.message}`));
    },
    kill: () => {
      if (!gone) child.kill('SIGKILL');
    },
  };
};

export interface ChildTaskOptions<I> {
  /** Absolute path of the entry module (it calls serveChildTask). */
  entry: string;
  input: I;
  /** Names the process in errors: "prediction process ended unexpectedly …". */
  label: string;
  spawn?: ChildSpawner;
  onProgress?(done: number, total: number, message?: string): void;
  /** After a cancel, the child is killed if it has not exited by then. Default 10 s. */
  killAfterMs?: number;
}

export interface ChildTaskHandle<R> {
  pid: number | undefined;
  cancel(): void;
  result: Promise<R>;
}

function errorFrom(info: { code: string; message: string; details?: unknown }): PlateLabError {
  if (info.code === 'CANCELLED') return cancelledError(info.message);
  return new PlateLabError(info.code as ErrorCode, info.message, info.details);
}

export function startChildTask<I, R>(opts: ChildTaskOptions<I>): ChildTaskHandle<R> {
  const spawn = opts.spawn ?? forkSpawner;
  const killAfterMs = opts.killAfterMs ?? 10_000;
  let final: FromTask<R> | null = null;
  let cancelled = false;
  let stderrTail = '';
  let killTimer: NodeJS.Timeout | null = null;
  let child: SpawnedChild | null = null;
  const armKill = (): void => {
    killTimer ??= setTimeout(() => child?.kill(), killAfterMs);
    killTimer.unref();
  };

  const result = new Promise<R>((resolve, reject) => {
    child = spawn(opts.entry, {
      onStderr: (text) => {
        stderrTail = (stderrTail + text).slice(-4000);
      },
      onMessage: (msg) => {
        if (!isFromTask(msg) || final) return;
        const m = msg as FromTask<R>;
        if (m.type === 'progress') opts.onProgress?.(m.done, m.total, m.message);
        else {
          final = m;
          // The child exits right after its last message; make sure it does.
          armKill();
        }
      },
      onExit: (how) => {
        if (killTimer) clearTimeout(killTimer);
        const f = final as FromTask<R> | null;
        if (f?.type === 'result') return resolve(f.value);
        if (f?.type === 'error') return reject(errorFrom(f.error));
        if (cancelled) return reject(cancelledError());
        const tail = stderrTail.trim().split('\n').slice(-5).join(' | ');
        reject(
          new PlateLabError(
            'INTERNAL',
            `${opts.label} process ended unexpectedly (${how})${tail ? `: ${tail}` : ''}`,
          ),
        );
      },
    });
    child.post({ type: 'start', input: opts.input });
  });
  const spawned = child as SpawnedChild | null;
  return {
    // A getter: some spawners (Electron's utilityProcess) only know the pid once it has started.
    get pid() {
      return spawned?.pid;
    },
    cancel: () => {
      if (cancelled || final) return;
      cancelled = true;
      spawned?.post({ type: 'cancel' });
      armKill();
    },
    result,
  };
}

/** Runs a child task to its end; `signal` cancels it. */
export function runChildTask<I, R>(
  opts: ChildTaskOptions<I> & { signal?: AbortSignal },
): Promise<R> {
  const handle = startChildTask<I, R>(opts);
  if (opts.signal) {
    if (opts.signal.aborted) handle.cancel();
    else opts.signal.addEventListener('abort', () => handle.cancel(), { once: true });
  }
  return handle.result;
}
