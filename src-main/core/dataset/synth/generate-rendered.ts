// Generates the rendered presets (tiny, demo, hard, full): plans the plates, draws every site, encodes PNGs with
// sharp while the next site is drawn, commits each plate whole, then writes the CSVs last.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { inputError, throwIfCancelled } from '../../errors';
import { NEGATIVE_CONTROL_ID, SITES, idCode } from '../plate';
import { csvLine, csvText } from './csv';
import { commitPlate, discardStaging, finishOutDir, prepareOutDir, stagePlate } from './output';
import {
  HARD_EFFECTS,
  assignHardClasses,
  calibrateScale,
  hardBatch,
  hardClassLook,
  hardIlluminationMap,
  hardSiteInput,
  type HardBatch,
  type HardClassLook,
} from './hard-effects';
import {
  CELL_TYPE_LOOKS,
  assignPhenotypes,
  batchLook,
  plateLook,
  type CellTypeLook,
  type Phenotype,
} from './phenotype';
import { PIXEL_STATS_HEADER, pixelStats, pixelStatsFields } from './pixel-stats';
import { planDataset, type DatasetPlan } from './plan';
import { RENDERED_PRESETS, type CellType, type RenderedPreset } from './presets';
import { Rng, hashString } from './prng';
import { illuminationMap, makeNoiseTable, renderSite, type HardSiteInput } from './render-site';
import type { PlannedWell, SynthOptions, SynthSummary } from './types';
import { writeFileAtomicSync } from '../../util/atomic-write';

/** Sites drawn ahead while earlier ones are still being encoded and written. */
const MAX_SITES_IN_FLIGHT = 6;

/** 8-bit grayscale PNG (colour type 0); without toColourspace sharp would write RGB. */
export async function encodeGrayPng(pixels: Uint8Array, size: number): Promise<Buffer> {
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 3 })
    .toBuffer();
}

export function metadataCsvs(plan: DatasetPlan): Record<string, string> {
  const train = plan.wells.filter((w) => w.split === 'train');
  const test = plan.wells.filter((w) => w.split === 'test');
  const id = (w: PlannedWell): string => idCode(w.experiment, w.plate, w.well);
  const base = (w: PlannedWell): (string | number)[] => [id(w), w.experiment, w.plate, w.well];
  const controls = (ws: PlannedWell[]): (string | number)[][] =>
    ws.filter((w) => w.wellType !== 'treatment').map((w) => [...base(w), w.sirna, w.wellType]);
  const testTreatments = test.filter((w) => w.wellType === 'treatment');
  const placeholder = Math.min(...plan.coreGroups.flat());
  return {
    'train.csv': csvText(
      ['id_code', 'experiment', 'plate', 'well', 'sirna'],
      train.filter((w) => w.wellType === 'treatment').map((w) => [...base(w), w.sirna]),
    ),
    'test.csv': csvText(['id_code', 'experiment', 'plate', 'well'], testTreatments.map(base)),
    'train_controls.csv': csvText(
      ['id_code', 'experiment', 'plate', 'well', 'sirna', 'well_type'],
      controls(train),
    ),
    'test_controls.csv': csvText(
      ['id_code', 'experiment', 'plate', 'well', 'sirna', 'well_type'],
      controls(test),
    ),
    'sample_submission.csv': csvText(
      ['id_code', 'sirna'],
      testTreatments.map((w) => [id(w), placeholder]),
    ),
  };
}

export async function generateRendered(
  preset: RenderedPreset,
  opts: SynthOptions,
  seed: number,
): Promise<SynthSummary> {
  const started = performance.now();
  const config = RENDERED_PRESETS[preset];
  const size = opts.imageSize ?? config.imageSize;
  if (!Number.isInteger(size) || size < 16 || size > 1024)
    throw inputError(
      `imageSize ${size} must be an integer from 16 to 1024 for the ${preset} preset`,
    );
  const fillPlates = opts.fillPlates ?? config.fillPlates;
  if (fillPlates.some((p) => !Number.isInteger(p) || p < 1 || p > 4))
    throw inputError(`fillPlates [${fillPlates.join(', ')}] must hold plate numbers 1 to 4`);
  if (config.model === 'hard' && fillPlates.length > 0)
    throw inputError(
      `the ${preset} preset cannot fill plates: its classes (hard-effects.ts) are defined for ` +
        'its 13-well plates; leave fillPlates out',
    );
  const plan = planDataset(
    { ...config, fillPlates: [...new Set(fillPlates)] },
    seed,
    opts.experiments ?? {},
  );
  if (plan.experiments.length === 0)
    throw inputError('no experiments left to generate (experiments limits are 0)');
  const outDir = path.resolve(opts.outDir);
  const markerBase = {
    generator: 'platelab-synth',
    version: 1,
    preset,
    seed,
    imageSize: size,
    experiments: opts.experiments ?? null,
    fillPlates: plan.fillPlates,
  };
  prepareOutDir(outDir, markerBase);

  const classIds = [...new Set(plan.wells.map((w) => w.sirna))].sort((a, b) => a - b);
  // Phenotype codes go to the classes on every plate first, so that filling plates gives the
  // extra classes new codes and leaves the others' codes (and their wells' pixels) as they were.
  const everyPlate = new Set([
    NEGATIVE_CONTROL_ID,
    ...plan.positiveControls,
    ...plan.coreGroups.flat(),
  ]);
  const phenotypeOrder = [
    ...classIds.filter((id) => everyPlate.has(id)),
    ...classIds.filter((id) => !everyPlate.has(id)),
  ];
  const isHard = config.model === 'hard';
  const phenotypes = isHard ? new Map<number, Phenotype>() : assignPhenotypes(phenotypeOrder, seed);
  const hardClasses = isHard ? assignHardClasses(plan, seed) : null;
  const hardBatches: Record<string, HardBatch> = {};
  const hardScales = new Map<CellType, number[]>();
  const hardLooks = new Map<string, HardClassLook>();
  /** Hard preset: the class as drawn in this cell type (cached), else undefined. */
  const hardLook = (sirna: number, cellType: CellType): HardClassLook | undefined => {
    if (!hardClasses) return undefined;
    const key = `${sirna}:${cellType}`;
    let l = hardLooks.get(key);
    if (!l) {
      l = hardClassLook(sirna, hardClasses.get(sirna)!, cellType, seed);
      hardLooks.set(key, l);
    }
    return l;
  };
  const noiseTable = makeNoiseTable(new Rng(seed, 3));

  const plates = new Map<string, PlannedWell[]>();
  for (const w of plan.wells) {
    const key = `${w.split}/${w.experiment}/${w.plate}`;
    const list = plates.get(key) ?? [];
    list.push(w);
    plates.set(key, list);
  }
  const totalSites = plan.wells.length * SITES;
  const statsRows: string[] = new Array<string>(totalSites * 6);
  let doneSites = 0;
  let siteIndex = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  opts.onProgress?.(0, totalSites, 'starting');
  try {
    for (const exp of plan.experiments) {
      const batchRng = new Rng(seed, hashString(`batch:${exp.name}`));
      const hb = isHard ? hardBatch(exp.cellType, batchRng) : null;
      const batch = hb ? hb.look : batchLook(exp.cellType, batchRng);
      let look: CellTypeLook = CELL_TYPE_LOOKS[exp.cellType];
      let scale: number[] | undefined;
      if (hb) {
        hardBatches[exp.name] = hb;
        scale = hardScales.get(exp.cellType);
        if (!scale) {
          scale = calibrateScale(size, exp.cellType, look, seed);
          hardScales.set(exp.cellType, scale);
        }
        look = { ...look, cells: look.cells * hb.density };
      }
      for (let plate = 1; plate <= 4; plate++) {
        const wells = plates.get(`${exp.split}/${exp.name}/${plate}`) ?? [];
        const pLook = plateLook(new Rng(seed, hashString(`plate:${exp.name}:${plate}`)));
        const illumination = hb
          ? hardIlluminationMap(size, hb, pLook)
          : illuminationMap(size, batch, pLook);
        const dir = stagePlate(outDir, exp.split, exp.name, plate);
        for (const w of wells) {
          for (let site = 1; site <= SITES; site++) {
            throwIfCancelled(opts.signal);
            const rng = new Rng(
              seed,
              hashString(`site:${exp.split}/${exp.name}/${plate}/${w.well}/${site}`),
            );
            const hl = hardLook(w.sirna, exp.cellType);
            const hard: HardSiteInput | undefined = hl ? hardSiteInput(hl, scale!) : undefined;
            const images = renderSite({
              size,
              hard,
              phenotype: hl ? hl.phenotype : phenotypes.get(w.sirna)!,
              look,
              batch,
              plate: pLook,
              illumination,
              noiseTable,
              rng,
            });
            const at = siteIndex++;
            images.forEach((img, c) => {
              statsRows[at * 6 + c] =
                `${exp.name},${plate},${w.well},${site},${c + 1},${pixelStatsFields(pixelStats(img)).join(',')}\n`;
            });
            const job = Promise.all(
              images.map(async (img, c) => {
                const png = await encodeGrayPng(img, size);
                await fs.promises.writeFile(
                  path.join(dir, `${w.well}_s${site}_w${c + 1}.png`),
                  png,
                );
              }),
            ).then(
              () => {
                inFlight.delete(job);
                doneSites++;
              },
              (err: unknown) => {
                inFlight.delete(job);
                failure ??= err;
              },
            );
            inFlight.add(job);
            if (inFlight.size >= MAX_SITES_IN_FLIGHT) await Promise.race(inFlight);
            if (failure) throw failure;
          }
        }
        await Promise.all(inFlight);
        if (failure) throw failure;
        commitPlate(outDir, exp.split, exp.name, plate);
        opts.onProgress?.(doneSites, totalSites, `${exp.split}/${exp.name}/Plate${plate}`);
      }
    }
  } catch (err) {
    await Promise.all(inFlight);
    discardStaging(outDir);
    throw err;
  }

  // Metadata last: a dataset with CSVs is a finished dataset.
  const csvs = metadataCsvs(plan);
  for (const [name, text] of Object.entries(csvs))
    writeFileAtomicSync(path.join(outDir, name), text);
  writeFileAtomicSync(
    path.join(outDir, 'pixel_stats.csv'),
    csvLine(PIXEL_STATS_HEADER) + statsRows.join(''),
  );

  const summary: SynthSummary = {
    preset,
    outDir,
    experiments: plan.experiments.length,
    plates: plan.experiments.length * 4,
    wells: plan.wells.length,
    sites: totalSites,
    images: totalSites * 6,
    classes: classIds.length,
    seconds: (performance.now() - started) / 1000,
  };
  const testTruth = plan.wells
    .filter((w) => w.split === 'test' && w.wellType === 'treatment')
    .map((w) => [idCode(w.experiment, w.plate, w.well), w.sirna]);
  finishOutDir(outDir, {
    ...markerBase,
    groups: plan.groups,
    rotations: Object.fromEntries(plan.experiments.map((e) => [e.name, e.rotation])),
    phenotypes: Object.fromEntries(
      classIds.map((id) => [
        id,
        (hardClasses ? hardClasses.get(id)!.code : phenotypes.get(id)!.code).join(''),
      ]),
    ),
    ...(hardClasses
      ? {
          hard: {
            effects: HARD_EFFECTS,
            batches: Object.fromEntries(
              Object.entries(hardBatches).map(([name, b]) => [
                name,
                {
                  gain: b.look.gain,
                  background: b.look.background,
                  blur: b.look.blur,
                  noise: b.look.noise,
                  vignette: b.look.vignette,
                  density: b.density,
                  field: b.field,
                },
              ]),
            ),
            classes: Object.fromEntries(
              classIds.map((id) => {
                const c = hardClasses.get(id)!;
                return [id, { changes: c.changes, pair: c.pair, stain: c.stain }];
              }),
            ),
          },
        }
      : {}),
    testTruth,
    summary: { ...summary, seconds: undefined, outDir: undefined },
  });
  opts.onProgress?.(totalSites, totalSites, 'done');
  return summary;
}
