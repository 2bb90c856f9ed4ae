// Child-process probe for wasm-threads.test.ts: selects the wasm backend (thread count from
// PLATELAB_WASM_THREADS), runs one conv and one conv gradient, prints JSON, then simply returns —
// the test checks that the process exits on its own (pool threads must not hold it open).
import {
  describeSelection,
  selectBackend,
} from '../../../src-main/core/learn/backend/select-backend';
import { getTf, type Tensor4D } from '../../../src-main/core/learn/backend/tf';

const sel = await selectBackend('wasm');
if (process.env.PROBE_THROW) throw new Error('probe failure after backend start');
const tf = getTf();
const x = tf.tensor4d(
  Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i)),
  [2, 9, 9, 3],
);
const w = tf.variable(
  tf.tensor4d(
    Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)),
    [3, 3, 3, 4],
  ),
);
const y = tf.conv2d(x, w as unknown as Tensor4D, 2, 'same');
const { grads } = tf.variableGrads(
  () => tf.sum(tf.square(tf.conv2d(x, w as unknown as Tensor4D, 2, 'same'))),
  [w],
);
console.log(
  JSON.stringify({
    line: describeSelection(sel)[0],
    y: Array.from(y.dataSync()),
    dw: Array.from(grads[w.name]!.dataSync()),
  }),
);
