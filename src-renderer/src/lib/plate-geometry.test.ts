// Plate geometry used by the grid: the used area is B–O × 2–23 (308 wells), the ring is the rest.
import { describe, expect, it } from 'vitest';
import { COLS, ROWS, isUsedPosition, normalizeWell, stepWithin, wellName } from './plate-geometry';

describe('plate geometry', () => {
  it('marks 308 used positions and a 76-position ring on the 384-well plate', () => {
    let used = 0;
    for (let r = 0; r < ROWS; r++) for (let c = 1; c <= COLS; c++) if (isUsedPosition(r, c)) used++;
    expect(used).toBe(308);
    expect(ROWS * COLS - used).toBe(76);
    expect(isUsedPosition(1, 2)).toBe(true); // B02, the negative control
    expect(isUsedPosition(0, 2)).toBe(false); // A02
    expect(isUsedPosition(14, 23)).toBe(true); // O23
    expect(isUsedPosition(15, 12)).toBe(false); // P12
  });

  it('names and normalises wells', () => {
    expect(wellName(1, 2)).toBe('B02');
    expect(wellName(15, 24)).toBe('P24');
    expect(normalizeWell('b2')).toBe('B02');
    expect(normalizeWell('O23')).toBe('O23');
    expect(normalizeWell('Q01')).toBeNull();
    expect(normalizeWell('B25')).toBeNull();
  });

  it('keeps keyboard moves inside the used area', () => {
    expect(stepWithin(1, 2, -1, 0)).toEqual([1, 2]);
    expect(stepWithin(1, 2, 0, -1)).toEqual([1, 2]);
    expect(stepWithin(1, 2, 1, 1)).toEqual([2, 3]);
    expect(stepWithin(14, 23, 1, 1)).toEqual([14, 23]);
  });
});
