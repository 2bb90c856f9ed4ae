// Entry of a task worker thread: registers tsx (a fresh thread cannot load .ts by itself), then
// loads the task module named in workerData and serves its exported task function.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
const { serveWorkerTask } = await import('./worker-task-host.ts');
const mod = await import(workerData.module);
serveWorkerTask(mod[workerData.exportName], workerData.exportName);
