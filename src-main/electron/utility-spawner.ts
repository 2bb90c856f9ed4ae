// Off-thread tasks in the desktop app run in Electron utilityProcesses (a crash there never takes
// the window down): this is the ChildSpawner core/jobs/child-task uses for training and prediction.
import { utilityProcess } from 'electron';
import type { ChildSpawner } from '../core/jobs/child-task';
import type { ToTask } from '../core/jobs/child-task-protocol';

/**
 * Electron's ChildSpawner: the entry (a bundled module calling serveTask, which speaks
 * process.parentPort there) runs in a utilityProcess. Messages posted before 'spawn' are queued.
 */
export function utilitySpawner(serviceName: string): ChildSpawner {
  return (entry, hooks, opts) => {
    const child = utilityProcess.fork(entry, [], {
      serviceName,
      stdio: 'pipe',
      env: opts.env ?? { ...process.env },
    });
    let spawned = false;
    let exited = false;
    const queued: ToTask[] = [];
    child.stderr?.on('data', (d: Buffer) => hooks.onStderr(d.toString()));
    child.stdout?.on('data', (d: Buffer) => process.stdout.write(d));
    child.on('message', (msg: unknown) => hooks.onMessage(msg));
    child.once('spawn', () => {
      spawned = true;
      for (const msg of queued.splice(0)) child.postMessage(msg);
    });
    child.once('exit', (code: number) => {
      exited = true;
      hooks.onExit(`exit code ${code}`);
    });
    return {
      get pid() {
        return child.pid;
      },
      post: (msg) => {
        if (exited) return;
        if (spawned) child.postMessage(msg);
        else queued.push(msg);
      },
      kill: () => {
        if (!exited) child.kill();
      },
    };
  };
}
