// The training form's checks: zod problems in plain words, nothing silently corrected (epochs 0
// stays an error), hints for an LR decay after the last epoch, and the 0-class Start guard.
import { describe, expect, it } from 'vitest';
import { startBlocker, validateDraft } from './train-validation';

const base = {
  arch: 'resnet-mini',
  target: 'sirna',
  imageSize: 64,
  cropSize: 48,
  epochs: 10,
  batchSize: 16,
  optimizer: 'sgd',
  learningRate: 0.05,
  momentum: 0.9,
  weightDecay: 0.0001,
  warmupEpochs: 0,
  lrDecayEpochs: [5],
  lrDecayFactor: 0.1,
  augment: { d4: true, intensityJitter: 0 },
  mixup: 0,
  labelSmoothing: 0,
  loss: 'softmax',
  dropout: 0,
  cellTypeInput: false,
  normalization: 'per-image',
  split: { strategy: 'random', valFraction: 0.2, seed: 1 },
  includeControls: false,
  seed: 1,
};

describe('validateDraft', () => {
  it('accepts a valid draft without errors or hints', () => {
    const r = validateDraft(base);
    expect(r.errors).toEqual({});
    expect(r.hints).toEqual([]);
    expect(r.config?.epochs).toBe(10);
  });

  it('keeps epochs 0 as an error in plain words (never changed to 1)', () => {
    const r = validateDraft({ ...base, epochs: 0 });
    expect(r.config).toBeNull();
    expect(r.errors.epochs).toBe('Must be at least 1.');
    expect(validateDraft({ ...base, epochs: 1.5 }).errors.epochs).toBe('Must be a whole number.');
    expect(validateDraft({ ...base, epochs: undefined }).errors.epochs).toBe('Enter a number.');
    expect(validateDraft({ ...base, learningRate: 0 }).errors.learningRate).toBe(
      'Must be greater than 0.',
    );
    expect(validateDraft({ ...base, split: { ...base.split, valFraction: 0.9 } }).errors).toEqual({
      'split.valFraction': 'Must be at most 0.5.',
    });
    expect(validateDraft({ ...base, lrDecayEpochs: [3, 0] }).errors.lrDecayEpochs).toBe(
      'Value 2: Must be at least 1.',
    );
    // The contract's cross-field rule keeps its own words.
    expect(validateDraft({ ...base, cropSize: 128 }).errors.cropSize).toBe(
      'Crop size 128 must not exceed the image size 64.',
    );
    for (const msg of Object.values(validateDraft({ ...base, epochs: -1, dropout: 2 }).errors))
      expect(msg).not.toMatch(/expected|Too (small|big)|Invalid input/);
  });

  it('hints at an LR decay the run never reaches', () => {
    expect(validateDraft({ ...base, lrDecayEpochs: [5, 10, 30] }).hints).toEqual([
      expect.stringContaining('LR decay at epoch 10, 30 never applies'),
    ]);
    expect(validateDraft({ ...base, lrDecayEpochs: [9] }).hints).toEqual([]);
  });
});

describe('startBlocker', () => {
  it('refuses 0 classes and suggests including controls when they are left out', () => {
    const why = startBlocker(
      { trainWells: 12, classes: 0 },
      { includeControls: false, target: 'sirna' },
    );
    expect(why).toMatch(/no classes/);
    expect(why).toMatch(/Include controls/);
    expect(
      startBlocker({ trainWells: 0, classes: 0 }, { includeControls: true, target: 'sirna' }),
    ).toMatch(/no training wells/);
    expect(
      startBlocker({ trainWells: 12, classes: 3 }, { includeControls: false, target: 'sirna' }),
    ).toBeNull();
    // One class (e.g. only negative controls imaged) cannot train a classifier either.
    expect(
      startBlocker({ trainWells: 18, classes: 1 }, { includeControls: true, target: 'sirna' }),
    ).toMatch(/Only 1 class.*at least 2/);
  });

  it('names class coverage when it left too few classes, not the controls', () => {
    const classCoverage = {
      setting: 99,
      threshold: 99,
      mostExperiments: 3,
      leftOutClasses: 12,
      leftOutWells: 24,
    };
    const why = startBlocker(
      { trainWells: 0, classes: 0, classCoverage },
      { includeControls: false, target: 'sirna' },
    );
    expect(why).toBe(
      'Only 0 classes left to train on: class coverage left out 12 classes seen in fewer than 99 training experiments (24 wells). Lower “Min. experiments per class” to train on them.',
    );
    // Coverage that left nothing out changes nothing.
    expect(
      startBlocker(
        { trainWells: 0, classes: 0, classCoverage: { ...classCoverage, leftOutClasses: 0 } },
        { includeControls: false, target: 'sirna' },
      ),
    ).toMatch(/Include controls/);
  });
});
