// Heatmap building: categories get distinct colours and a legend, continuous values a range, and
// wells without a value stay uncoloured.
import { describe, expect, it } from 'vitest';
import type { PlateWell } from './contract';
import { continuousColor } from './colormaps';
import { buildHeatmap, REVIEW_COLORS } from './plate-heatmap';

function well(name: string, patch: Partial<PlateWell> = {}): PlateWell {
  return {
    well: name,
    row: name.charCodeAt(0) - 65,
    col: Number(name.slice(1)),
    idCode: `HUVEC-01_1_${name}`,
    wellType: 'treatment',
    sirna: '5',
    sites: 2,
    hasImages: true,
    broken: false,
    meanIntensity: null,
    prediction: null,
    ...patch,
  };
}

describe('buildHeatmap', () => {
  it('review decision: fixed colours and legend order; no decision is a value, not looked up is not', () => {
    const wells = [
      well('B03', { review: 'suspect_label' }),
      well('B04', { review: 'exclude' }),
      well('B05', { review: null }),
      well('B06'),
    ];
    const h = buildHeatmap(wells, 'review', 'categorical', 1);
    expect(h.colors.get('B04')).toEqual(REVIEW_COLORS.excluded);
    expect(h.colors.get('B03')).toEqual(REVIEW_COLORS['suspect label']);
    expect(h.colors.get('B05')).toEqual(REVIEW_COLORS['no decision']);
    expect(h.values.get('B05')).toBe('no decision');
    expect(h.colors.has('B06')).toBe(false);
    expect(h.legend.missing).toBe(1);
    expect(h.legend.kind === 'categories' && h.legend.items.map((i) => i.label)).toEqual([
      'excluded',
      'suspect label',
      'no decision',
    ]);
  });

  it('colours well types as categories with a legend', () => {
    const wells = [well('B02', { wellType: 'negative_control' }), well('C03'), well('C04')];
    const h = buildHeatmap(wells, 'well_type', 'categorical', 1);
    expect(h.colors.get('C03')).toEqual(h.colors.get('C04'));
    expect(h.colors.get('B02')).not.toEqual(h.colors.get('C03'));
    expect(h.legend.kind).toBe('categories');
    if (h.legend.kind === 'categories') {
      expect(h.legend.items.map((i) => i.label)).toEqual(['treatment', 'negative_control']);
    }
  });

  it('maps confidence onto the colormap over [0, 1] and skips wells without predictions', () => {
    const pred = (prob: number) => ({
      top: '1',
      prob,
      assigned: null,
      correct: true,
      sitesDisagree: false,
    });
    const wells = [
      well('B03', { prediction: pred(0) }),
      well('B04', { prediction: pred(1) }),
      well('B05'),
    ];
    const h = buildHeatmap(wells, 'confidence', 'magma', 1);
    expect(h.colors.get('B03')).toEqual(continuousColor('magma', 0));
    expect(h.colors.get('B04')).toEqual(continuousColor('magma', 1));
    expect(h.colors.has('B05')).toBe(false);
    expect(h.legend).toMatchObject({ kind: 'range', min: 0, max: 1 });
  });

  it('reads the chosen channel of mean intensity and keeps correct green, wrong red', () => {
    const wells = [
      well('B03', { meanIntensity: [1, 10, 0, 0, 0, 0] }),
      well('B04', { meanIntensity: [2, 30, 0, 0, 0, 0] }),
    ];
    const h = buildHeatmap(wells, 'intensity', 'viridis', 2);
    expect(h.legend).toMatchObject({ kind: 'range', min: 10, max: 30 });
    const p = (correct: boolean) => ({
      top: '1',
      prob: 0.5,
      assigned: null,
      correct,
      sitesDisagree: false,
    });
    const c = buildHeatmap(
      [well('B03', { prediction: p(true) }), well('B04', { prediction: p(false) })],
      'correct',
      'viridis',
      1,
    );
    const [g, r] = [c.colors.get('B03'), c.colors.get('B04')];
    expect(g && g[1] > g[0]).toBe(true);
    expect(r && r[0] > r[1]).toBe(true);
  });

  it('gives a single distinct value the middle of the colormap and counts wells with images', () => {
    const wells = [
      well('B03', { meanIntensity: [7, 7, 7, 7, 7, 7] }),
      well('B04', { hasImages: false }),
    ];
    const h = buildHeatmap(wells, 'intensity', 'viridis', 4);
    expect(h.colors.get('B03')).toEqual(continuousColor('viridis', 0.5));
    expect(h.legend).toMatchObject({ min: 7, max: 7, missing: 1, withImages: 1 });
    expect(h.legend.kind === 'range' && h.legend.label).toBe('w4 Syto14 mean intensity');
  });

  it('keeps a categorical colormap for categories whatever is asked', () => {
    const h = buildHeatmap([well('B03')], 'well_type', 'magma', 1);
    expect(h.legend.colormap).toBe('categorical');
    expect(buildHeatmap([well('B03')], 'confidence', 'categorical', 1).legend.colormap).toBe(
      'viridis',
    );
  });
});
