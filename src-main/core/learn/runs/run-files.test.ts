// Run-folder JSON is parsed, not cast: a corrupt or foreign run.json, config.json, state.json or
// prediction set is an input error naming the file and the bad fields; a valid file is returned as
// read, so fields a newer PlateLab wrote survive a status update.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuTrainConfig } from '../config/default-config';
import { loadCheckpoint } from '../train/checkpoint';
import { loadPredictionSet } from '../predict/predict';
import { storedSetDatasets } from '../predict/provenance';
import type { CheckpointState } from '../train/checkpoint';
import { truncateMetrics } from '../train/resume';
import { listRuns, readRunMetrics } from './list-runs';
import { loadRunContext } from './run-context';
import { readRunConfig, readRunInfo, updateRunInfo } from './run-folder';

const dirs: string[] = [];
function runDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'platelab-runfiles-'));
  dirs.push(root);
  const dir = path.join(root, 'r1');
  fs.mkdirSync(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const runInfo = {
  runId: 'r1',
  createdAt: '2026-11-30T00:00:00.000Z',
  updatedAt: '2026-11-30T00:00:00.000Z',
  status: 'done',
  backend: 'wasm',
  dbFile: '/data/catalog.db',
  pid: null,
  epochsDone: 2,
  bestValAccuracy: 0.5,
  imagesPerSecond: 10,
  warnings: [],
  error: null,
};
const write = (file: string, value: unknown) =>
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));

describe('run-folder files', () => {
  it('reads a valid run.json as written and keeps unknown fields through an update', () => {
    const dir = runDir();
    write(path.join(dir, 'run.json'), { ...runInfo, fromANewerVersion: { x: 1 } });
    expect(readRunInfo(dir).epochsDone).toBe(2);
    updateRunInfo(dir, { status: 'failed', error: 'x' });
    const back = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(back).toMatchObject({ status: 'failed', error: 'x', fromANewerVersion: { x: 1 } });
  });

  it('names the file and the bad fields of a foreign or damaged run.json', () => {
    const dir = runDir();
    const file = path.join(dir, 'run.json');
    write(file, { name: 'some-package', version: '1.0.0' });
    expect(() => readRunInfo(dir)).toThrow(
      new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}: not a valid run status .*runId: .*status: `),
    );
    write(file, { ...runInfo, status: 'paused', epochsDone: -1 });
    expect(() => readRunInfo(dir)).toThrow(
      /run\.json: not a valid run status.*status: .*epochsDone: /,
    );
    write(file, '{"runId": "r1", "stat');
    expect(() => readRunInfo(dir)).toThrow(/run\.json: the run status is not valid JSON/);
    fs.rmSync(file);
    expect(() => readRunInfo(dir)).toThrow(/run\.json: cannot read the run status \(missing/);
  });

  it('checks config.json with the contract schema (crop rule included), split and classes too', () => {
    const dir = runDir();
    write(path.join(dir, 'run.json'), runInfo);
    write(path.join(dir, 'config.json'), { ...cpuTrainConfig(), imageSize: 64, cropSize: 96 });
    expect(() => readRunConfig(dir)).toThrow(
      /config\.json: not a valid training config .*cropSize: crop size 96 must not exceed the image size 64/,
    );
    write(path.join(dir, 'config.json'), cpuTrainConfig());
    write(path.join(dir, 'classes.json'), { target: 'sirna', labels: ['1', '2'] });
    write(path.join(dir, 'split.json'), {
      strategy: 'random',
      seed: 1,
      valFraction: 0.1,
      train: [],
      val: [],
      warnings: [],
    });
    expect(() => loadRunContext(dir)).toThrow(
      /classes\.json: not a valid class list .*ids: .*cellTypes: /,
    );
    // A run whose config is foreign is not listed (as a half-written folder was not).
    write(path.join(dir, 'config.json'), { arch: 'resnet-mini' });
    expect(listRuns(path.dirname(dir))).toEqual([]);
  });

  it('names a damaged checkpoint state.json and prediction set', () => {
    const dir = runDir();
    const ckpt = path.join(dir, 'checkpoints', 'step-000000004');
    fs.mkdirSync(ckpt, { recursive: true });
    write(path.join(ckpt, 'state.json'), { epoch: 1, stepInEpoch: 'two' });
    expect(() => loadCheckpoint(ckpt)).toThrow(
      /state\.json: not a valid checkpoint state .*stepInEpoch: /,
    );
    const state = {
      epoch: 1,
      stepInEpoch: 2,
      globalStep: 4,
      rng: { seed: 1, epoch: 1, stepInEpoch: 2 },
    };
    write(path.join(ckpt, 'state.json'), {
      ...state,
      bestValAccuracy: null,
      bestEpoch: null,
      configSha256: 'x',
    });
    write(path.join(ckpt, 'weights.json'), [{ shape: [2], offset: -4, length: 2 }]);
    expect(() => loadCheckpoint(ckpt)).toThrow(
      /weights\.json: not a valid tensor index .*0\.offset: /,
    );
    const preds = path.join(dir, 'predictions');
    fs.mkdirSync(preds);
    write(path.join(dir, 'run.json'), runInfo);
    write(path.join(preds, 'val.json'), { runId: 'r1', split: 'val', wells: 'none' });
    // Listing the stored sets skips a damaged one (it is reported when that set is loaded).
    expect(storedSetDatasets(dir, 'val')).toEqual([]);
    expect(() => loadPredictionSet(dir, 'val')).toThrow(
      /val\.json: not a valid prediction set .*tta: .*wells: /,
    );
  });
});

describe('the run manifest', () => {
  it('skips a temp file left by an atomic write that was killed mid-way', async () => {
    const { writeManifest } = await import('./run-folder');
    const dir = runDir();
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(runInfo));
    // write-file-atomic's temp name: `<target>.<uint32>` beside the target.
    fs.writeFileSync(path.join(dir, 'run.json.3141592653'), '{"half":');
    const manifest = writeManifest(dir);
    expect(Object.keys(manifest.files)).toEqual(['run.json']);
  });
});

describe('metrics.jsonl', () => {
  const step = {
    type: 'step',
    step: 1,
    epoch: 0,
    loss: 2.5,
    accuracy: 0.1,
    lr: 0.1,
    imagesPerSecond: 40,
  };
  const epoch = {
    type: 'epoch',
    epoch: 0,
    loss: 2.4,
    accuracy: 0.12,
    valLoss: null,
    valAccuracy: null,
    lr: 0.1,
    imagesPerSecond: 40,
    seconds: 3,
    etaSeconds: 30,
  };
  const write = (dir: string, text: string): void =>
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), text);

  it('reads steps and epochs, ignoring a torn last line', () => {
    const dir = runDir();
    write(dir, `${JSON.stringify(step)}\n${JSON.stringify(epoch)}\n{"type":"st`);
    const m = readRunMetrics(dir);
    expect(m.steps.map((s) => s.loss)).toEqual([2.5]);
    expect(m.epochs.map((e) => e.etaSeconds)).toEqual([30]);
  });
  it('is an input error naming the file, line and field for a record of the wrong shape', () => {
    const dir = runDir();
    // A NaN loss written by JSON.stringify reads back as null: not a number to plot.
    write(dir, `${JSON.stringify(step)}\n${JSON.stringify({ ...step, step: 2, loss: null })}\n`);
    expect(() => readRunMetrics(dir)).toThrow(/metrics\.jsonl: line 2 .*loss/);
    write(dir, `not json\n${JSON.stringify(step)}\n`);
    expect(() => readRunMetrics(dir)).toThrow(/metrics\.jsonl: line 1 is not JSON/);
  });
  it('resume truncation keeps the records up to the checkpoint and drops a torn line', () => {
    const dir = runDir();
    const later = { ...step, step: 5, epoch: 1 };
    write(dir, `${JSON.stringify(step)}\n${JSON.stringify(epoch)}\n${JSON.stringify(later)}\n{"ty`);
    truncateMetrics(dir, { globalStep: 1, epoch: 1 } as CheckpointState);
    const m = readRunMetrics(dir);
    expect(m.steps.map((s) => s.step)).toEqual([1]);
    expect(m.epochs.map((e) => e.epoch)).toEqual([0]);
  });
});
