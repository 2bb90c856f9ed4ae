// Test support (not a test): child-process entry serving the fixture task.
import { fixtureTask } from './child-task-fixture';
import { serveChildTask } from '../../src-main/core/jobs/child-task-host';

serveChildTask(fixtureTask);
