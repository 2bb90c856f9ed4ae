// Entry of the indexing worker thread (entries.ts 'index-worker'): serves indexTask over the
// child-task protocol.
import { serveTask } from '../../jobs/task-host';
import { indexTask } from './index-task';

serveTask(indexTask);
