// Test helper: runs a TypeScript probe in its own Node process (a tfjs backend is chosen once per
// process) and returns the JSON object on the last line it prints. At most `maxParallel` probes
// run at once, so concurrent tests do not oversubscribe a small CI machine.
import { execFile } from 'node:child_process';
import path from 'node:path';

/** The repository root (probes run from there: the training child resolves tsx from the cwd). */
export const REPO = path.resolve(import.meta.dirname, '../..');

export interface ProbeOptions {
  env?: Record<string, string>;
  /** Kill the probe after this long (a hanging process fails instead of passing). Default 60 s. */
  timeoutMs?: number;
}

export interface ProbeError extends Error {
  code?: number | string;
  stderr?: string;
}

const maxParallel = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= maxParallel) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs any command from the repository root; resolves with its stdout and stderr. */
export function runChild(
  args: string[],
  { env = {}, timeoutMs = 60_000 }: ProbeOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return slot(
    () =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          args,
          {
            cwd: REPO,
            env: { ...process.env, ...env },
            timeout: timeoutMs,
            maxBuffer: 64 * 1024 * 1024,
          },
          (err, stdout, stderr) => {
            if (err) reject(Object.assign(err, { stderr }) as ProbeError);
            else resolve({ stdout, stderr });
          },
        );
      }),
  );
}

/**
 * Runs `script` (a path relative to the repository root or absolute) through bin/run-ts.js and
 * parses the last line of its stdout as JSON. Rejects with the process error (exit code, stderr).
 */
export async function runProbe<T>(script: string, options: ProbeOptions = {}): Promise<T> {
  const { stdout } = await runChild(
    [path.join(REPO, 'bin/run-ts.js'), path.resolve(REPO, script)],
    options,
  );
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${script} printed no JSON result line; its output ended with: ${last}`);
  }
}
