// Test support (not a test; plain JS so it also runs beside a built bundle under plain Node): runs
// the entry named by argv[2] as if in an Electron utilityProcess, with a stand-in process.parentPort
// over the real fork IPC channel. Both directions are wrapped as {viaPort: msg}, so a test can tell
// that the entry spoke through the port and not through process.send.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const realSend = process.send.bind(process);
const port = Object.assign(new EventEmitter(), {
  postMessage: (m) => void realSend({ viaPort: m }),
});
Object.defineProperty(process, 'parentPort', { value: port, configurable: true });
// Like Electron's port, hold messages until someone listens.
const queued = [];
port.on('newListener', (name) => {
  if (name === 'message')
    setImmediate(() => queued.splice(0).forEach((data) => port.emit('message', { data })));
});
process.on('message', (m) => {
  if (typeof m !== 'object' || m === null || !('viaPort' in m)) return;
  if (port.listenerCount('message') > 0) port.emit('message', { data: m.viaPort });
  else queued.push(m.viaPort);
});
// Like a utilityProcess, the process lives on while the parent is connected.
await import(pathToFileURL(process.argv[2]).href);
