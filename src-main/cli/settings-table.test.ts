// The --list-settings table comes from the contract: every TrainConfig key, its default, and a
// range that agrees with what the validator accepts at and beyond the stated bounds.
import { describe, expect, it } from 'vitest';
import { TrainConfig } from '../../src-shared/contract';
import { cpuTrainConfig, defaultTrainConfig } from '../core/learn/config/default-config';
import { formatSettingsTable, settingsTable } from './settings-table';

describe('settingsTable', () => {
  const rows = settingsTable(cpuTrainConfig());
  const row = (k: string) => rows.find((r) => r.key === k);

  it('lists every leaf key of TrainConfig with its default', () => {
    const keys = rows.map((r) => r.key);
    for (const k of Object.keys(TrainConfig.shape)) {
      expect(keys.some((x) => x === k || x.startsWith(`${k}.`))).toBe(true);
    }
    expect(keys).toContain('split.valFraction');
    expect(keys).toContain('augment.d4');
    expect(row('epochs')?.default).toBe(String(cpuTrainConfig().epochs));
    expect(settingsTable(defaultTrainConfig()).find((r) => r.key === 'epochs')?.default).toBe(
      String(defaultTrainConfig().epochs),
    );
  });

  it('states ranges the validator enforces', () => {
    expect(row('epochs')?.range).toBe('1 ≤ integer ≤ 500');
    expect(row('learningRate')?.range).toBe('0 < number ≤ 10');
    expect(row('optimizer')?.range).toBe('one of: sgd, adam, adamw');
    expect(row('includeControls')?.range).toBe('true or false');
    expect(row('warmupEpochs')?.range).toBe('0 ≤ integer');
    expect(row('lrDecayEpochs')?.range).toBe('list of (1 ≤ integer)');
    // An optional setting the defaults leave out is listed as unset, not refused.
    expect(row('split.valExperiments')).toEqual({
      key: 'split.valExperiments',
      default: 'unset',
      range: 'list of 1+ (non-empty text) (optional)',
    });
    // A union: 'auto' or a whole number, as the validator takes it.
    expect(row('minClassExperiments')).toEqual({
      key: 'minClassExperiments',
      default: '"auto"',
      range: 'auto or 1 ≤ integer (optional)',
    });
    const base = cpuTrainConfig();
    for (const [v, ok] of [
      ['auto', true],
      [1, true],
      [0, false],
      [2.5, false],
      ['all', false],
    ] as const)
      expect(TrainConfig.safeParse({ ...base, minClassExperiments: v }).success).toBe(ok);
    expect(TrainConfig.safeParse({ ...base, epochs: 500 }).success).toBe(true);
    expect(TrainConfig.safeParse({ ...base, epochs: 501 }).success).toBe(false);
    expect(TrainConfig.safeParse({ ...base, learningRate: 0 }).success).toBe(false);
  });

  it('formats aligned columns with the backend in the header', () => {
    const text = formatSettingsTable(rows, 'wasm');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^setting\s+default \(wasm\)\s+allowed$/);
    expect(lines).toHaveLength(rows.length + 1);
  });
});
