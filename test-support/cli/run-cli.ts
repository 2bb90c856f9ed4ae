// Test helper: runs the real `platelab` command (bin/platelab.js) as a child process and collects
// its exit code and output, so CLI tests exercise exactly what a user types.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `platelab ...args` from the repository root. */
export function platelab(...args: string[]): Promise<CliResult> {
  return platelabIn(REPO, ...args);
}

/** Runs `platelab ...args` with `cwd` as the working folder (as a user anywhere would). */
export function platelabIn(cwd: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/platelab.js'), ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
