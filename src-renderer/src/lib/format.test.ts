// Dataset names from folders, and which recently opened folder a link's dataset name points to.
import { describe, expect, it } from 'vitest';
import { datasetName, recentDatasetNamed } from './format';

describe('recentDatasetNamed', () => {
  it('finds the most recent folder of that name, or null', () => {
    const recent = ['/data/rxrx1/', '/scratch/demo', '/old/rxrx1', 'C:\\lab\\plates'];
    expect(datasetName(recent[0]!)).toBe('rxrx1');
    expect(recentDatasetNamed('rxrx1', recent)).toBe('/data/rxrx1/');
    expect(recentDatasetNamed('plates', recent)).toBe('C:\\lab\\plates');
    expect(recentDatasetNamed('elsewhere', recent)).toBeNull();
    expect(recentDatasetNamed('demo', [])).toBeNull();
  });
});
