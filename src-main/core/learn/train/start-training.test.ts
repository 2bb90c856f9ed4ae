// Child-process training: events stream to the parent, cancel checkpoints, a killed child ends the
// run as failed without harming the parent, and resume after kill -9 reproduces the uninterrupted run.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunInfo } from '../runs/run-folder';
import { makeTinyDataset, type TinyDataset } from '../../../../test-support/learn/tiny-dataset';
import { latestCheckpoint, loadCheckpoint } from './checkpoint';
import { startTraining } from './start-training';
import { tinyTrainConfig } from '../../../../test-support/learn/tiny-config';

let ds: TinyDataset;
beforeAll(async () => {
  ds = await makeTinyDataset({ classes: 4, plates: 2 });
});
afterAll(() => ds.cleanup());

// Dropout and mixup on: both must replay identically after resume.
const config = tinyTrainConfig({ epochs: 2, dropout: 0.3, mixup: 0.2, labelSmoothing: 0.1 });

describe('startTraining (child process)', () => {
  it('resumes after kill -9 onto the same weights as an uninterrupted run', async () => {
    // Different decode-worker counts and a decoded cache that holds 3 sites must not matter.
    const tinyCache = 3 * config.imageSize * config.imageSize * 6;
    const full = startTraining({
      dbFile: ds.dbFile,
      runDir: path.join(ds.root, 'full'),
      config,
      decodeWorkers: 1,
    });
    const epochs: number[] = [];
    full.events.on('epoch', (m) => epochs.push(m.epoch));
    const s1 = await full.done;
    expect(s1.status).toBe('done');
    expect(epochs).toEqual([0, 1]);

    const runDir = path.join(ds.root, 'killed');
    const first = startTraining({ dbFile: ds.dbFile, runDir, config, decodeWorkers: 3 });
    first.events.on('checkpoint', (c) => {
      if (c.epoch === 1) process.kill(first.pid!, 'SIGKILL');
    });
    const s2 = await first.done;
    expect(s2.status).toBe('failed');
    expect(s2.error).toMatch(/SIGKILL/);
    expect(readRunInfo(runDir).status).toBe('failed');

    const resumed = startTraining({
      dbFile: ds.dbFile,
      runDir,
      resume: true,
      decodeWorkers: 2,
      cacheBudgetBytes: tinyCache,
    });
    let resumedFrom: number | null = null;
    resumed.events.on('started', (i) => (resumedFrom = i.resumedFromStep));
    const s3 = await resumed.done;
    expect(s3.status).toBe('done');
    expect(resumedFrom).toBeGreaterThan(0);

    const a = loadCheckpoint(latestCheckpoint(path.join(ds.root, 'full'))!);
    const b = loadCheckpoint(latestCheckpoint(runDir)!);
    expect(b.state.globalStep).toBe(a.state.globalStep);
    let maxDiff = 0;
    a.weights.forEach((w, i) =>
      w.values.forEach(
        (v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.weights[i]!.values[j]!))),
      ),
    );
    expect(maxDiff).toBeLessThan(1e-5);
    const lines = (d: string) =>
      fs.readFileSync(path.join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    expect(lines(runDir)).toBe(lines(path.join(ds.root, 'full')));
  });

  it('cancels gracefully with a checkpoint, and reports bad input as a failure', async () => {
    const runDir = path.join(ds.root, 'cancelled');
    const h = startTraining({ dbFile: ds.dbFile, runDir, config: tinyTrainConfig({ epochs: 50 }) });
    h.events.once('step', () => h.cancel());
    const s = await h.done;
    expect(s.status).toBe('cancelled');
    expect(latestCheckpoint(runDir)).not.toBeNull();
    expect(readRunInfo(runDir).status).toBe('cancelled');

    const bad = await startTraining({
      dbFile: path.join(ds.root, 'nope.sqlite'),
      runDir: path.join(ds.root, 'x'),
      config,
    }).done;
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/nope\.sqlite/);
  });

  it('stops within a few steps of a mid-epoch cancel, every time (5 runs in a row)', async () => {
    // Small batches: many steps per epoch, so every cancel lands mid-epoch.
    const cfg = tinyTrainConfig({ epochs: 20, batchSize: 2 });
    for (let i = 0; i < 5; i++) {
      const runDir = path.join(ds.root, `cancel-${i}`);
      const h = startTraining({ dbFile: ds.dbFile, runDir, config: cfg });
      let stepsPerEpoch = 0;
      h.events.on('started', (info) => (stepsPerEpoch = info.stepsPerEpoch));
      let cancelAt = -1;
      let lastStep = 0;
      // Cancel a little later each time (steps 2..6 of the first epoch).
      h.events.on('step', (m) => {
        lastStep = m.step;
        if (cancelAt < 0 && m.step === 2 + i) {
          cancelAt = m.step;
          h.cancel();
        }
      });
      const s = await h.done;
      expect(s.status).toBe('cancelled');
      expect(stepsPerEpoch).toBeGreaterThan(8);
      expect(cancelAt).toBe(2 + i);
      // Bounded: the steps already under way when the message arrives, never the rest of the run.
      expect(lastStep - cancelAt).toBeLessThanOrEqual(3);
      const ckpt = loadCheckpoint(latestCheckpoint(runDir)!);
      expect(ckpt.state.globalStep).toBe(lastStep);
      expect(ckpt.state.epoch).toBe(0);
      expect(ckpt.state.stepInEpoch).toBe(lastStep);
      expect(readRunInfo(runDir).status).toBe('cancelled');
    }
  });
});
