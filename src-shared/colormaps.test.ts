// Categorical colours: the 12-colour palette first, then distinct extra colours up to
// DISTINCT_CATEGORIES, repeating only after that (16 experiments or 32 siRNAs no longer share colours).
import { describe, expect, it } from 'vitest';
import { CATEGORICAL, DISTINCT_CATEGORIES, categoryColor } from './colormaps';

describe('categoryColor', () => {
  it('gives DISTINCT_CATEGORIES different colours, the palette first, then repeats', () => {
    const colours = Array.from({ length: DISTINCT_CATEGORIES }, (_, i) =>
      categoryColor('categorical', i, 1000),
    );
    expect(colours.slice(0, CATEGORICAL.length)).toEqual(CATEGORICAL);
    expect(new Set(colours.map((c) => c.join(','))).size).toBe(DISTINCT_CATEGORIES);
    for (const c of colours) for (const v of c) expect(v >= 0 && v <= 255).toBe(true);
    expect(categoryColor('categorical', DISTINCT_CATEGORIES + 5, 1000)).toEqual(colours[5]);
  });
  it('keeps every extra colour at least as far from the others as the palette keeps its own', () => {
    const colours = Array.from({ length: DISTINCT_CATEGORIES }, (_, i) =>
      categoryColor('categorical', i, 1000),
    );
    const d = (a: number[], b: number[]) => Math.hypot(...a.map((v, k) => v - b[k]!));
    let palette = Infinity;
    for (let a = 0; a < CATEGORICAL.length; a++)
      for (let b = a + 1; b < CATEGORICAL.length; b++)
        palette = Math.min(palette, d(colours[a]!, colours[b]!));
    let extra = Infinity;
    for (let a = CATEGORICAL.length; a < colours.length; a++)
      for (let b = 0; b < colours.length; b++)
        if (a !== b) extra = Math.min(extra, d(colours[a]!, colours[b]!));
    // The palette's closest pair is 35 RGB units apart (brown and brick red).
    expect(extra).toBeGreaterThanOrEqual(palette);
  });
});
