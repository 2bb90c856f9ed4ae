// Entry of the training utilityProcess: Electron's utility processes talk through process.parentPort,
// while the learning code's child entry speaks node's fork protocol (process.send / 'message'). This
// adapter maps one onto the other, then loads that entry unchanged.
import type { ChildMessage } from '../core/learn/train/messages';

const port = process.parentPort;
if (!port) throw new Error('training-child must run in an Electron utilityProcess');

type SendCallback = (error: Error | null) => void;

// process.send(message, sendHandle?, options?, callback?): only the message and callback are used.
process.send = ((message: ChildMessage, ...rest: unknown[]) => {
  port.postMessage(message);
  const cb = rest.find((r): r is SendCallback => typeof r === 'function');
  cb?.(null);
  return true;
}) as typeof process.send;

// Messages that arrive while the child entry (and TensorFlow.js) is still loading are held back
// and replayed once its 'message' listener exists; otherwise the start message could be lost.
const pending: unknown[] = [];
let loaded = false;
port.on('message', (event: { data: unknown }) => {
  if (loaded) process.emit('message', event.data, undefined);
  else pending.push(event.data);
});

await import('../core/learn/train/child-entry');
loaded = true;
for (const message of pending.splice(0)) process.emit('message', message, undefined);
