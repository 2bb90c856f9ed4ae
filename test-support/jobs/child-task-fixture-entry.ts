// Test support (not a test): the fixture task's entry, for a child process and a worker thread alike.
import { fixtureTask } from './child-task-fixture';
import { serveTask } from '../../src-main/core/jobs/task-host';

serveTask(fixtureTask);
