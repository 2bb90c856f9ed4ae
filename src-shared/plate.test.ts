// Plate geometry shared by the core, the grid and the figures: the used area is B–O × 2–23 (308
// wells), the ring is the rest; names parse and normalise; keyboard moves stay inside.
import { describe, expect, it } from 'vitest';
import {
  PLATE_COLS,
  PLATE_ROWS,
  USED_WELL_COUNT,
  isUsedWell,
  normalizeWell,
  usedWells,
  wellName,
} from './plate';

describe('plate geometry', () => {
  it('marks 308 used positions and a 76-position ring on the 384-well plate', () => {
    let used = 0;
    for (let row = 0; row < PLATE_ROWS; row++)
      for (let col = 1; col <= PLATE_COLS; col++) if (isUsedWell({ row, col })) used++;
    expect(used).toBe(USED_WELL_COUNT);
    expect(usedWells()).toHaveLength(USED_WELL_COUNT);
    expect(PLATE_ROWS * PLATE_COLS - used).toBe(76);
    expect(isUsedWell({ row: 1, col: 2 })).toBe(true); // B02, the negative control
    expect(isUsedWell({ row: 0, col: 2 })).toBe(false); // A02
    expect(isUsedWell({ row: 14, col: 23 })).toBe(true); // O23
    expect(isUsedWell({ row: 15, col: 12 })).toBe(false); // P12
  });

  it('names and normalises wells', () => {
    expect(wellName({ row: 1, col: 2 })).toBe('B02');
    expect(wellName({ row: 15, col: 24 })).toBe('P24');
    expect(normalizeWell('b2')).toBe('B02');
    expect(normalizeWell(' O23 ')).toBe('O23');
    expect(normalizeWell('Q01')).toBeNull();
    expect(normalizeWell('B25')).toBeNull();
  });
});
