// Entry of the training child process (entries.ts 'training-child'; a node fork or an Electron
// utilityProcess): serves runTraining over the child-task protocol; its metrics go out as events,
// a cancel stops it at the next step with a checkpoint.
import { serveTask } from '../../jobs/task-host';
import type { TrainEvent, TrainJob, TrainSummary } from './messages';
import { runTraining } from './trainer';

serveTask<TrainJob, TrainSummary, TrainEvent>((job, ctl) =>
  runTraining(job, { emit: ctl.emit, isCancelled: () => ctl.signal.aborted }),
);
