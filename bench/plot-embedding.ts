// Draws a run's embedding view for the README: its stored validation embeddings projected (UMAP by
// default) in two panels, coloured by experiment and by siRNA, with the organisation numbers under
// them. Plain SVG rendered to PNG by sharp (--svg FILE keeps the SVG too).
// node bin/run-ts.js bench/plot-embedding.ts --run RUN_DIR --title "…" --out docs/embedding-x.png
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { EmbeddingOrganisation, EmbeddingPoint } from '../src-shared/contract';
import {
  embeddingPoints,
  openSetEmbedding,
  organisationOf,
  pcaOf,
  umapOf,
} from '../src-main/core/learn/embed/embedding-view';
import { writeFileAtomic } from '../src-main/core/util/atomic-write';

const FONT = 'DejaVu Sans, sans-serif';
const PANEL = 460;
const PAD = 20;
const TOP = 56;
const FOOT = 70;

/** Colour of group i of n: hues spread by the golden angle, so neighbouring ids differ. */
function groupColour(i: number): string {
  return `hsl(${((i * 137.508) % 360).toFixed(1)}, 70%, 45%)`;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(0)}%`);
const fix = (v: number | null): string => (v === null ? '–' : v.toFixed(2));
const over = (v: number | null, c: number | null): string =>
  v === null || c === null || c === 0 ? '–' : `${(v / c).toFixed(1)}×`;

/** One scatter panel: points scaled into the square, coloured by `key`. */
function panel(
  points: EmbeddingPoint[],
  key: (p: EmbeddingPoint) => string | null,
  x0: number,
  title: string,
): string {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [
    Math.min(...xs),
    Math.max(...xs),
    Math.min(...ys),
    Math.max(...ys),
  ];
  const inner = PANEL - 2 * PAD;
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const sx = (v: number) => x0 + PAD + ((v - minX) / span) * inner;
  const sy = (v: number) => TOP + PAD + inner - ((v - minY) / span) * inner;
  const groups = [...new Set(points.map(key).filter((k): k is string => k !== null))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const colourOf = new Map(groups.map((g, i) => [g, groupColour(i)]));
  const dots = points
    .map((p) => {
      const k = key(p);
      const fill = k === null ? '#bbbbbb' : colourOf.get(k)!;
      return `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${fill}" fill-opacity="0.85"/>`;
    })
    .join('');
  return (
    `<rect x="${x0 + 4}" y="${TOP}" width="${PANEL - 8}" height="${PANEL}" fill="none" stroke="#ccc"/>` +
    `<text x="${x0 + PANEL / 2}" y="${TOP - 8}" text-anchor="middle" font-size="14">${esc(title)} (${groups.length} groups)</text>` +
    dots
  );
}

/** The figure: by experiment | by siRNA, title on top, the organisation numbers below. */
export function embeddingFigureSvg(
  points: EmbeddingPoint[],
  o: EmbeddingOrganisation,
  title: string,
  projection: string,
): string {
  const width = 2 * PANEL;
  const height = TOP + PANEL + FOOT;
  const line1 = `${o.k} nearest neighbours (standardised embedding): same experiment ${pct(o.sameExperiment)} (chance ${pct(o.sameExperimentChance)}, ${over(o.sameExperiment, o.sameExperimentChance)}), same siRNA ${pct(o.sameSirna)} (chance ${pct(o.sameSirnaChance)}, ${over(o.sameSirna, o.sameSirnaChance)})`;
  const line2 = `silhouette by experiment ${fix(o.silhouetteExperiment)}, by siRNA ${fix(o.silhouetteSirna)}; ${o.wells} wells (${o.sirnaWells} labelled treatment wells), ${projection.toUpperCase()}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="17" font-weight="bold">${esc(title)}</text>` +
    panel(points, (p) => p.experiment, 0, 'coloured by experiment') +
    panel(points, (p) => p.sirnaLabel, PANEL, 'coloured by siRNA') +
    `<text x="${width / 2}" y="${TOP + PANEL + 26}" text-anchor="middle" font-size="13">${esc(line1)}</text>` +
    `<text x="${width / 2}" y="${TOP + PANEL + 48}" text-anchor="middle" font-size="13">${esc(line2)}</text>` +
    `</svg>`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      run: { type: 'string' },
      title: { type: 'string' },
      out: { type: 'string' },
      split: { type: 'string', default: 'val' },
      projection: { type: 'string', default: 'umap' },
      svg: { type: 'string' },
    },
  });
  if (!values.run || !values.out || !values.title)
    throw new Error('usage: plot-embedding.ts --run RUN_DIR --title TEXT --out FILE.png');
  const split = values.split === 'test' ? 'test' : 'val';
  const e = openSetEmbedding(path.resolve(values.run), split);
  const organisation = await organisationOf(e);
  const xy = values.projection === 'pca' ? pcaOf(e) : await umapOf(e);
  const svg = embeddingFigureSvg(
    embeddingPoints(e.set, xy),
    organisation,
    values.title,
    values.projection!,
  );
  if (values.svg) await writeFileAtomic(values.svg, svg);
  await writeFileAtomic(values.out, await sharp(Buffer.from(svg)).png().toBuffer());
  console.log(`${values.out}: ${organisation.note}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
