// Entry of the prediction child process (node fork through tsx, or an Electron utilityProcess):
// serves predictTask over the child-task protocol.
import { serveChildTask } from '../../jobs/child-task-host';
import { predictTask } from './predict-task';

serveChildTask(predictTask);
