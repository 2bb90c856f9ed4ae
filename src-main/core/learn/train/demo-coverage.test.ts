// The demo's filled plate 1 against training's default class coverage, on the demo's planned wells
// (planDataset, the generator's own layout, default seed): the default run trains on the 32 demo
// siRNAs (63 classes with controls) and leaves out every siRNA that sits on plate 1 only, including
// the group that plate 1 holds in 8 of the 16 training experiments.
import { describe, expect, it } from 'vitest';
import type { SiteRow } from '../../catalog/queries';
import { planDataset } from '../../dataset/synth/plan';
import { RENDERED_PRESETS } from '../../dataset/synth/presets';
import { defaultTrainConfig } from '../config/default-config';
import { buildClassList } from '../data/classes';

const plan = planDataset(RENDERED_PRESETS.demo, 1);

/** One complete site row per planned training well (what the indexer makes of the CSVs). */
function trainRows(): SiteRow[] {
  return plan.wells
    .filter((w) => w.split === 'train')
    .map((w, i) => ({
      siteId: i,
      wellId: i,
      idCode: `${w.experiment}_${w.plate}_${w.well}`,
      split: 'train',
      experiment: w.experiment,
      cellType: w.cellType,
      plate: w.plate,
      well: w.well,
      row: w.well.charCodeAt(0) - 65,
      col: Number(w.well.slice(1)),
      site: 1,
      wellType: w.wellType,
      sirna: String(w.sirna),
      sirnaId: w.sirna,
      paths: [],
      complete: true,
    }));
}

describe("the demo's filled plate 1 and the default class coverage", () => {
  it('trains on the every-plate classes and leaves out the plate-1-only siRNAs', () => {
    const rows = trainRows();
    const core = new Set(plan.coreGroups.flat().map(String));
    const experimentsOf = new Map<string, Set<string>>();
    for (const r of rows) {
      if (!experimentsOf.has(r.sirna!)) experimentsOf.set(r.sirna!, new Set());
      experimentsOf.get(r.sirna!)!.add(r.experiment);
    }
    // The borderline the rule must handle: some fill siRNAs sit on plate 1 of 8 of the 16.
    const fillCounts = [...experimentsOf]
      .filter(([s, e]) => !core.has(s) && Number(s) < 1108 && e.size > 0)
      .map(([, e]) => e.size);
    expect(Math.max(...fillCounts)).toBe(8);

    const config = defaultTrainConfig();
    expect(config.minClassExperiments).toBe('auto');
    const list = buildClassList(rows, config);
    expect(new Set(list.labels)).toEqual(core);
    expect(list.coverage).toMatchObject({ threshold: 12, mostExperiments: 16 });
    expect(list.coverage.leftOutClasses).toBe(fillCounts.length);

    // With controls: the 26 other positive controls are on plate 1 of every experiment, kept.
    const withControls = buildClassList(rows, { ...config, includeControls: true });
    expect(withControls.labels).toHaveLength(63);
    expect(withControls.coverage.leftOutClasses).toBe(fillCounts.length);
  });
});
