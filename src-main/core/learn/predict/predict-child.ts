// Entry of the prediction child process (entries.ts 'predict-child'; a node fork or an Electron
// utilityProcess): serves predictTask over the child-task protocol.
import { serveTask } from '../../jobs/task-host';
import { predictTask } from './predict-task';

serveTask(predictTask);
