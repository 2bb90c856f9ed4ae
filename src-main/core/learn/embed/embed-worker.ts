// Entry of the embedding worker thread (entries.ts 'embed-worker'): serves embedTask over the
// child-task protocol, so UMAP and the neighbour numbers never block the server or Electron main.
import { serveTask } from '../../jobs/task-host';
import { embedTask } from './embed-task';

serveTask(embedTask);
