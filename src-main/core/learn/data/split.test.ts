// Splits: wells never straddle train/val, plate and experiment strategies hold out whole units,
// warnings fire when validation shares plates; class lists and config parsing.
import { describe, expect, it } from 'vitest';
import { TrainConfig } from '../../../../src-shared/contract';
import {
  applySetting,
  cpuTrainConfig,
  defaultConfigFor,
  defaultTrainConfig,
  resolveTrainConfig,
} from '../config/default-config';
import { buildClassList } from './classes';
import type { SiteRow } from './site-rows';
import { makeSplit } from './split';

function rows(): SiteRow[] {
  const out: SiteRow[] = [];
  for (const exp of ['HUVEC-01', 'HUVEC-02', 'RPE-01', 'U2OS-01'])
    for (let plate = 1; plate <= 4; plate++)
      for (let k = 0; k < 10; k++)
        for (const site of [1, 2])
          out.push({
            siteId: out.length + 1,
            wellId: Math.floor(out.length / 2) + 1,
            split: 'train',
            experiment: exp,
            cellType: exp.split('-')[0]!,
            plate,
            well: `C${String(k + 3).padStart(2, '0')}`,
            idCode: `${exp}_${plate}_C${String(k + 3).padStart(2, '0')}`,
            row: 2,
            col: k + 3,
            site,
            wellType: k === 9 ? 'negative_control' : 'treatment',
            sirna: k === 9 ? '1138' : String(k * 10 + plate),
            sirnaId: k === 9 ? 1138 : k * 10 + plate,
            paths: ['a', 'b', 'c', 'd', 'e', 'f'],
            complete: true,
          });
  return out;
}

describe('makeSplit', () => {
  const r = rows();
  const label = (x: SiteRow) => x.sirna!;
  it('random: by well, about the fraction, with the shared-plate warning', () => {
    const s = makeSplit(
      r,
      { ...defaultTrainConfig(), split: { strategy: 'random', valFraction: 0.1, seed: 1 } },
      label,
    );
    expect(s.train.length + s.val.length).toBe(4 * 4 * 9);
    expect(s.val.length).toBe(Math.round(144 * 0.1));
    expect(new Set([...s.train, ...s.val]).size).toBe(144);
    expect(s.warnings.join()).toMatch(/shares \d+ plate/);
    const again = makeSplit(
      r,
      { ...defaultTrainConfig(), split: { strategy: 'random', valFraction: 0.1, seed: 1 } },
      label,
    );
    expect(again.val).toEqual(s.val);
  });
  it('plate and experiment strategies hold out whole plates / experiments', () => {
    const p = makeSplit(
      r,
      { ...defaultTrainConfig(), split: { strategy: 'plate', valFraction: 0.25, seed: 2 } },
      label,
    );
    const plateOf = (id: string) => id.split('_').slice(0, 2).join('_');
    const trainPlates = new Set(p.train.map(plateOf));
    expect(p.val.every((v) => !trainPlates.has(plateOf(v)))).toBe(true);
    expect(new Set(p.val.map(plateOf)).size).toBe(4);
    expect(p.warnings.join()).not.toMatch(/shares/);
    const e = makeSplit(
      r,
      { ...defaultTrainConfig(), split: { strategy: 'experiment', valFraction: 0.25, seed: 2 } },
      label,
    );
    expect(new Set(e.val.map((v) => v.split('_')[0])).size).toBe(1);
    expect(e.val.length).toBe(36);
  });
  it('a listed fold holds out exactly those experiments; unknown ones are errors', () => {
    const cfg = (valExperiments: string[], strategy: 'experiment' | 'plate' = 'experiment') => ({
      ...defaultTrainConfig(),
      split: { strategy, valFraction: 0.25, seed: 2, valExperiments },
    });
    const f = makeSplit(r, cfg(['HUVEC-02', 'U2OS-01']), label);
    expect([...new Set(f.val.map((v) => v.split('_')[0]))].sort()).toEqual(['HUVEC-02', 'U2OS-01']);
    expect(new Set(f.train.map((v) => v.split('_')[0]))).toEqual(new Set(['HUVEC-01', 'RPE-01']));
    expect(() => makeSplit(r, cfg(['HEPG2-09']), label)).toThrow(/HEPG2-09 not among/);
    expect(() => makeSplit(r, cfg(['RPE-01'], 'plate'), label)).toThrow(
      /need strategy 'experiment'/,
    );
  });
  it('includes controls only when asked, and orders siRNA classes by id', () => {
    const c1 = buildClassList(r, { target: 'sirna', includeControls: false });
    expect(c1.labels).not.toContain('1138');
    expect(c1.ids).toEqual([...c1.ids].sort((a, b) => a! - b!));
    const c2 = buildClassList(r, { target: 'sirna', includeControls: true });
    expect(c2.labels.at(-1)).toBe('1138');
    expect(buildClassList(r, { target: 'cell_type', includeControls: false }).labels).toEqual([
      'HUVEC',
      'RPE',
      'U2OS',
    ]);
  });
});

describe('training config', () => {
  it('has the seed recipe by default and a CPU recipe for wasm/cpu', () => {
    const d = defaultTrainConfig();
    expect([
      d.optimizer,
      d.momentum,
      d.weightDecay,
      d.warmupEpochs,
      d.learningRate,
      d.loss,
      d.dropout,
    ]).toEqual(['sgd', 0.9, 5e-4, 5, 0.01, 'bce', 0.5]);
    expect(d.lrDecayEpochs).toEqual([15, 25]);
    expect(defaultConfigFor('wasm')).toEqual(cpuTrainConfig());
    expect(defaultConfigFor('tensorflow-gpu')).toEqual(d);
  });
  it('applies a file and --set values, and names bad settings', () => {
    const c = resolveTrainConfig({
      backendName: 'cpu',
      configText: '{"epochs": 3, "split": {"strategy": "plate"}}',
      configFile: 'c.json',
      sets: ['batchSize=16', 'split.seed=9'],
    });
    expect([c.epochs, c.batchSize, c.split.strategy, c.split.seed, c.split.valFraction]).toEqual([
      3,
      16,
      'plate',
      9,
      0.05,
    ]);
    expect(() => applySetting({ a: 1 }, 'b=2')).toThrow(/unknown config key "b"/);
    // Adam/AdamW without a learning rate start at Adam's 1e-3, not the SGD recipe's 0.05; a given rate is kept.
    const lrOf = (o: Parameters<typeof resolveTrainConfig>[0]) =>
      resolveTrainConfig(o).learningRate;
    expect(cpuTrainConfig().learningRate).toBe(0.05);
    expect(lrOf({ backendName: 'cpu', sets: ['optimizer=adamw'] })).toBe(1e-3);
    expect(lrOf({ backendName: 'cpu', configText: '{"optimizer": "adam"}' })).toBe(1e-3);
    expect(lrOf({ backendName: 'cpu', sets: ['optimizer=adam', 'learningRate=0.003'] })).toBe(
      0.003,
    );
    expect(
      lrOf({ backendName: 'cpu', configText: '{"optimizer": "adam", "learningRate": 0.05}' }),
    ).toBe(0.05);
    expect(lrOf({ backendName: 'cpu', sets: ['optimizer=sgd'] })).toBe(0.05);
    expect(() => resolveTrainConfig({ backendName: 'cpu', sets: ['epochs=0'] })).toThrow(/epochs/);
    expect(() =>
      resolveTrainConfig({ backendName: 'cpu', configText: '{', configFile: 'bad.json' }),
    ).toThrow(/bad\.json: not valid JSON/);
  });

  it('refuses a crop larger than the image in the contract schema itself (CLI and UI alike)', () => {
    const ok = { ...cpuTrainConfig(), imageSize: 64, cropSize: 64 };
    expect(TrainConfig.safeParse(ok).success).toBe(true);
    const bad = TrainConfig.safeParse({ ...ok, cropSize: 80 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['cropSize', 'crop size 80 must not exceed the image size 64'],
    ]);
    expect(() =>
      resolveTrainConfig({ backendName: 'cpu', sets: ['imageSize=64', 'cropSize=80'] }),
    ).toThrow(
      /--set: invalid training config: cropSize: crop size 80 must not exceed the image size 64/,
    );
  });
});
