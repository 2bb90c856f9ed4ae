// Test support (not a test): runs the fixture child as if in an Electron utilityProcess, with a
// stand-in process.parentPort. The test's messages arrive wrapped as {viaPort: msg}; what the child
// posts on the port goes back over the real fork IPC channel.
import { EventEmitter } from 'node:events';

const realSend = process.send!.bind(process);
const port = Object.assign(new EventEmitter(), {
  postMessage: (m: unknown) => void realSend(m as object),
});
Object.defineProperty(process, 'parentPort', { value: port, configurable: true });
// Like Electron's port, hold messages until someone listens.
const queued: unknown[] = [];
port.on('newListener', (name) => {
  if (name === 'message')
    setImmediate(() => queued.splice(0).forEach((data) => port.emit('message', { data })));
});
process.on('message', (m: unknown) => {
  if (typeof m !== 'object' || m === null || !('viaPort' in m)) return;
  const data = (m as { viaPort: unknown }).viaPort;
  if (port.listenerCount('message') > 0) port.emit('message', { data });
  else queued.push(data);
});

await import('./child-task-fixture-child');
