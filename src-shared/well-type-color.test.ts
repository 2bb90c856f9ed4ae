// The plate grid's N/P marks take their colours from wellTypeColor; they must be the colours the
// well-type heatmap legend shows for the same types.
import { describe, expect, it } from 'vitest';
import type { PlateWell } from './contract';
import { buildHeatmap, wellTypeColor } from './plate-heatmap';

const well = (w: string, wellType: PlateWell['wellType']) =>
  ({ well: w, wellType, hasImages: true }) as unknown as PlateWell;

describe('wellTypeColor', () => {
  it('matches the well-type legend', () => {
    const h = buildHeatmap(
      [well('B02', 'negative_control'), well('C03', 'positive_control'), well('D04', 'treatment')],
      'well_type',
      'categorical',
    );
    if (h.legend.kind !== 'categories') throw new Error('expected a categorical legend');
    for (const item of h.legend.items)
      expect(item.color).toEqual(wellTypeColor(item.label as PlateWell['wellType']));
    expect(wellTypeColor('negative_control')).not.toEqual(wellTypeColor('positive_control'));
  });
});
