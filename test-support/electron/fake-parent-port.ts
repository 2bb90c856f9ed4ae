// Test fixture: runs training-child.ts in a plain node fork by giving it a stand-in for Electron's
// process.parentPort. Messages from the test arrive wrapped as {viaPort: msg} so they are told apart
// from the ones the adapter re-emits; what the child posts goes back over the real IPC channel.
import { EventEmitter } from 'node:events';

const realSend = process.send!.bind(process);
const port = Object.assign(new EventEmitter(), {
  postMessage: (m: unknown) => void realSend(m as object),
});
Object.defineProperty(process, 'parentPort', { value: port, configurable: true });

// Like Electron's port, hold messages until someone listens.
const queued: unknown[] = [];
port.on('newListener', (name) => {
  if (name !== 'message') return;
  setImmediate(() => queued.splice(0).forEach((data) => port.emit('message', { data })));
});
process.on('message', (m: unknown) => {
  if (typeof m !== 'object' || m === null || !('viaPort' in m)) return;
  const data = (m as { viaPort: unknown }).viaPort;
  if (port.listenerCount('message') > 0) port.emit('message', { data });
  else queued.push(data);
});

await import('../../src-main/electron/training-child');
