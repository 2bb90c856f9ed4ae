// Entry of the prediction child process (entries.ts 'predict-child'; a node fork or an Electron
// utilityProcess): serves predictTask over the child-task protocol, and saliency maps
// (learn/explain/saliency-task.ts) when the input says `task: 'saliency'`.
import { serveTask } from '../../jobs/task-host';
import { isSaliencyChildInput, saliencyTask } from '../explain/saliency-task';
import { predictTask, type PredictTaskInput } from './predict-task';
import type { SaliencyChildInput } from '../explain/saliency-task';

serveTask<PredictTaskInput | SaliencyChildInput, unknown>((input, ctl) =>
  isSaliencyChildInput(input) ? saliencyTask(input, ctl) : predictTask(input, ctl),
);
