// The training form's setting changes: switching optimiser family moves a default learning rate to
// the new family's (Adam 1e-3), keeps a rate the user typed, and the options come from the contract.
import { describe, expect, it } from 'vitest';
import { ADAM_LEARNING_RATE, TrainConfig } from '../../../src-shared/contract';
import { changeSetting } from './train-form';

describe('changeSetting', () => {
  const sgd = { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9 };

  it("moves the recipe's SGD rate to Adam's and back", () => {
    const adam = changeSetting(sgd, 'optimizer', 'adam', 0.05);
    expect(adam).toEqual({ optimizer: 'adam', learningRate: ADAM_LEARNING_RATE, momentum: 0.9 });
    expect(changeSetting(adam, 'optimizer', 'adamw', 0.05).learningRate).toBe(1e-3);
    expect(changeSetting(adam, 'optimizer', 'sgd', 0.05).learningRate).toBe(0.05);
  });

  it('keeps a learning rate the user chose, and other fields are plain sets', () => {
    const typed = changeSetting(sgd, 'learningRate', 0.02, 0.05);
    expect(changeSetting(typed, 'optimizer', 'adamw', 0.05).learningRate).toBe(0.02);
    expect(changeSetting(sgd, 'momentum', 0.8, 0.05)).toEqual({ ...sgd, momentum: 0.8 });
    // Before the defaults have loaded nothing is adjusted.
    expect(changeSetting(sgd, 'optimizer', 'adam', undefined).learningRate).toBe(0.05);
  });

  it('offers every optimiser of the contract', () => {
    expect(TrainConfig.shape.optimizer.options).toEqual(['sgd', 'adam', 'adamw']);
  });
});
