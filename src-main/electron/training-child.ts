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

port.on('message', (event: { data: unknown }) => {
  process.emit('message', event.data, undefined);
});

await import('../core/learn/train/child-entry');
