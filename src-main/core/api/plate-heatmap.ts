// The plate heatmap figure export (export.platePng): the plate's wells as plates.wells gives them,
// coloured by src-shared/plate-heatmap.ts (the screen's colour function), drawn as one SVG by
// src-shared/plate-figure.ts and rasterised to PNG with sharp; both files land in exports/.
import path from 'node:path';
import sharp from 'sharp';
import * as heatmap from '../../../src-shared/plate-heatmap';
import { plateFigureSvg } from '../../../src-shared/plate-figure';
import type { CallArgs, CallOutput } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { relUnder } from '../app/media';
import { inputError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { requireDataset } from './context-guards';
import { plateWellList } from './plate-handlers';
import { runDirOf } from './run-dir';

/** PNG pixels per SVG unit: 2 gives a 1520-pixel-wide figure, sharp enough for a slide. */
export const FIGURE_PNG_SCALE = 2;

/** Rasterises a figure SVG to PNG at `scale` pixels per SVG unit (librsvg through sharp). */
export async function svgToPng(svg: string, scale = FIGURE_PNG_SCALE): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

export function safePart(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
}

/**
 * Writes the plate figure for `args` as SVG and PNG under exports/ and returns both.
 * Errors: INVALID_INPUT for a prediction metric without runId or a colormap of the wrong kind
 * (sequential for a category metric or categorical for a continuous one); NOT_FOUND for an
 * unknown plate or run.
 */
export async function exportPlateFigure(
  ctx: AppContext,
  args: CallArgs<'export.platePng'>,
): Promise<CallOutput<'export.platePng'>> {
  const { experiment, plate, metric, runId, intensityChannel } = args;
  const ds = requireDataset(ctx);
  if (runId) runDirOf(ctx.layout.runs, runId);
  if (heatmap.METRIC_NEEDS_RUN[metric] && !runId)
    throw inputError(`metric "${metric}" needs a runId`);
  if (args.colormap && heatmap.colormapFor(metric, args.colormap) !== args.colormap) {
    throw inputError(
      `colormap "${args.colormap}" does not suit the ${heatmap.METRIC_KIND[metric]} metric "${metric}": use ${heatmap.colormapChoices(metric).join(' or ')}`,
    );
  }
  const plateData = await plateWellList(ctx, {
    experiment,
    plate,
    runId,
    intensity: metric === 'intensity',
    waitForIntensity: true,
  });
  const heat = heatmap.buildHeatmap(plateData.wells, metric, args.colormap, intensityChannel);
  const svg = plateFigureSvg(plateData.wells, heat, {
    metric: heatmap.METRIC_LABELS[metric],
    dataset: path.basename(ds.root),
    experiment,
    plate,
    cellType: plateData.cellType,
    split: plateData.split,
    run: heatmap.METRIC_NEEDS_RUN[metric] ? runId : null,
    note: plateData.intensity?.note ?? null,
  });
  const png = await svgToPng(svg);
  const name = [
    safePart(experiment),
    `P${plate}`,
    metric === 'intensity' ? `intensity-w${intensityChannel}` : metric,
    ...(runId && heatmap.METRIC_NEEDS_RUN[metric] ? [safePart(runId)] : []),
  ].join('_');
  const pngFile = path.join(ctx.layout.exports, `${name}.png`);
  const svgFile = path.join(ctx.layout.exports, `${name}.svg`);
  await writeFileAtomic(svgFile, svg);
  await writeFileAtomic(pngFile, png);
  const url = (f: string) => ctx.mediaUrl('exports', relUnder(ctx.layout.exports, f));
  return {
    path: pngFile,
    url: url(pngFile),
    rows: heat.values.size,
    svg: { path: svgFile, url: url(svgFile) },
    wells: plateData.wells.length,
    withImages: heat.legend.withImages,
  };
}
