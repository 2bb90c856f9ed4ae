// Child-process probe for webgpu.test.ts: on PROBE_BACKEND (webgpu or wasm), predicts the test
// wells of the run in PROBE_RUN from its checkpoint, then (PROBE_STEPS > 0) takes that many SGD
// steps of the training loop's own trainStep on one fixed batch of the catalog PROBE_DB, checking
// that no tensors are left behind. Prints one JSON line.
import { openCatalog } from '../../../src-main/core/catalog/db';
import { buildClassList } from '../../../src-main/core/learn/data/classes';
import { BatchSource } from '../../../src-main/core/learn/data/batches';
import { buildSamples } from '../../../src-main/core/learn/data/samples';
import { SiteImageCache } from '../../../src-main/core/learn/data/site-images';
import { datasetRoot, loadSiteRows } from '../../../src-main/core/learn/data/site-rows';
import { predictRun } from '../../../src-main/core/learn/predict/predict';
import { createModel } from '../../../src-main/core/learn/train/model-factory';
import { SgdMomentum } from '../../../src-main/core/learn/train/sgd';
import { trainStep } from '../../../src-main/core/learn/train/step';
import { SeededRng } from '../../../src-main/core/learn/util/rng';
import {
  describeSelection,
  selectBackend,
} from '../../../src-main/core/learn/backend/select-backend';
import { getTf, type Variable } from '../../../src-main/core/learn/backend/tf';

const backend = process.env.PROBE_BACKEND === 'wasm' ? 'wasm' : 'webgpu';
const runDir = process.env.PROBE_RUN ?? '';
const dbFile = process.env.PROBE_DB ?? '';
const steps = Number(process.env.PROBE_STEPS ?? 0);
const t0 = performance.now();
const sel = await selectBackend(backend);
const tf = getTf();

const predicted = await predictRun({ runDir, split: 'test', backend });
const tPredict = performance.now();

/** Losses of `steps` SGD steps on the first 8 training sites (centre crops, no augmentation). */
async function fitFixedBatch(): Promise<{ losses: number[]; tensors: number[] }> {
  const db = openCatalog(dbFile);
  const rows = loadSiteRows(db, 'train');
  const root = datasetRoot(db, dbFile);
  db.close();
  const classes = buildClassList(rows, { target: 'sirna', includeControls: false });
  const { samples } = buildSamples(rows, new Set(rows.map((r) => r.idCode)), classes, 'sirna');
  const source = new BatchSource(new SiteImageCache(root, 16), samples, 16, 16);
  const batch = await source.evalBatch(Array.from({ length: 8 }, (_, i) => i));
  const model = createModel({
    arch: 'resnet-mini',
    inputSize: 16,
    channels: 6,
    numClasses: classes.labels.length,
    dropout: 0,
  });
  const optimizer = new SgdMomentum(
    model.trainableWeights.map((w) => w.read() as Variable),
    0.9,
    5e-4,
  );
  const ctx = {
    model,
    optimizer,
    loss: 'softmax' as const,
    numClasses: classes.labels.length,
    numCellTypes: 0,
    labelSmoothing: 0,
    mixup: 0,
    microBatch: 8,
  };
  const rng = new SeededRng(1);
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push((await trainStep(ctx, batch, 0.03, rng)).loss);
    tensors.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  model.dispose();
  return { losses, tensors };
}

const fit = steps > 0 ? await fitFixedBatch() : null;
console.log(
  JSON.stringify({
    line: describeSelection(sel)[0],
    labels: predicted.set.labels,
    wells: predicted.set.wells.map((w) => w.idCode),
    top: predicted.set.wells.map((w) => w.top),
    probs: Array.from(predicted.set.probs),
    fit,
    ms: { predict: tPredict - t0, fit: performance.now() - tPredict },
  }),
);
