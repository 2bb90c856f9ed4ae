// Arrow keys on a sparse plate: the next existing well in the pressed direction, never a jump back
// to B02 or onto an empty position.
import { describe, expect, it } from 'vitest';
import { normalizeWell } from '../../../src-shared/plate';
import { nextWell, type GridWell } from './plate-navigation';

const at = (name: string): GridWell => {
  const well = normalizeWell(name)!;
  return { well, row: well.charCodeAt(0) - 65, col: Number(well.slice(1)) };
};
const plate = (...names: string[]) => names.map(at);

describe('nextWell', () => {
  // A sparse plate: B02, B10, E05, E10, H20.
  const sparse = plate('B02', 'B10', 'E05', 'E10', 'H20');

  it('moves along the row/column to the next well that exists', () => {
    expect(nextWell(sparse, 'B02', 0, 1)).toBe('B10');
    expect(nextWell(sparse, 'B10', 1, 0)).toBe('E10');
    expect(nextWell(sparse, 'E10', 0, -1)).toBe('E05');
    expect(nextWell(sparse, 'E10', -1, 0)).toBe('B10');
  });

  it('takes the nearest well in that direction when the line is empty', () => {
    expect(nextWell(sparse, 'E05', 1, 0)).toBe('H20');
    expect(nextWell(sparse, 'E10', 0, 1)).toBe('H20');
    expect(nextWell(sparse, 'B02', 1, 0)).toBe('E05');
  });

  it('stays put at the edge instead of jumping to B02', () => {
    expect(nextWell(sparse, 'H20', 0, 1)).toBe('H20');
    expect(nextWell(sparse, 'H20', 1, 0)).toBe('H20');
    expect(nextWell(sparse, 'B10', -1, 0)).toBe('B10');
  });

  it('starts at the first well in reading order when nothing (known) is selected', () => {
    expect(nextWell(plate('E05', 'C07'), null, 0, 1)).toBe('C07');
    expect(nextWell(plate('E05', 'C07'), 'B02', 0, 1)).toBe('C07');
    expect(nextWell([], null, 0, 1)).toBeNull();
  });

  it('on a full row moves one well at a time', () => {
    const row = plate('C02', 'C03', 'C04');
    expect(nextWell(row, 'C02', 0, 1)).toBe('C03');
    expect(nextWell(row, 'C04', 0, -1)).toBe('C03');
  });
});
