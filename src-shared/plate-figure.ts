// The plate heatmap as a figure for a slide or a paper, built as one SVG string (pure, no Node/DOM):
// title (metric, dataset, experiment, plate, run), row letters and column numbers, wells coloured by
// plate-heatmap.ts's cellLook, and a legend with units and image coverage. The PNG is this SVG rasterised.
import { DISTINCT_CATEGORIES, css, continuousColor, textOn, type Rgb } from './colormaps';
import type { PlateWell } from './contract';
import { PLATE_COLS, PLATE_ROWS, ROW_LETTERS, wellName } from './plate';
import {
  cellLook,
  coverageText,
  EMPTY_STRIPES,
  NO_IMAGES_STROKE,
  NO_VALUE,
  type Heatmap,
} from './plate-heatmap';

export interface FigureTitle {
  /** Metric label, e.g. 'Mean intensity'. */
  metric: string;
  /** Dataset name (its folder). */
  dataset: string;
  experiment: string;
  plate: number;
  cellType?: string;
  split?: string;
  /** Run id for prediction metrics. */
  run?: string | null;
  /** Extra line under the title, e.g. where intensities come from. */
  note?: string | null;
}

/** Positions of the figure's parts in SVG user units (= PNG pixels at scale 1). */
export const FIGURE = {
  width: 760,
  cell: 26,
  gap: 2,
  left: 44,
  top: 92,
  font: "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif",
} as const;

const pitch = FIGURE.cell + FIGURE.gap;

/** Centre of a well (0-based row, 1-based column) in SVG user units. */
export function wellCenter(row: number, col: number): { x: number; y: number } {
  return {
    x: FIGURE.left + (col - 1) * pitch + FIGURE.cell / 2,
    y: FIGURE.top + row * pitch + FIGURE.cell / 2,
  };
}

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function text(
  x: number,
  y: number,
  s: string,
  opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: string; fill?: string } = {},
): string {
  return `<text x="${x}" y="${y}" font-size="${opts.size ?? 11}" text-anchor="${opts.anchor ?? 'start'}"${opts.weight ? ` font-weight="${opts.weight}"` : ''} fill="${opts.fill ?? '#212529'}">${esc(s)}</text>`;
}

const hexOf = (c: Rgb): string => css(c);

/** A number for a legend tick: 3 significant digits, no exponent for the usual ranges. */
function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/**
 * The figure as an SVG document: `wells` (the plate's wells from plates.wells) coloured by `heat`
 * (buildHeatmap of the same wells). Every position of the 16×24 plate is drawn: a well with a value
 * in its colour, a well without one in NO_VALUE grey, a well without images with a dashed dark
 * outline, a position without a well striped.
 */
export function plateFigureSvg(
  wells: readonly PlateWell[],
  heat: Heatmap,
  title: FigureTitle,
): string {
  const byName = new Map(wells.map((w) => [w.well, w]));
  const out: string[] = [];
  const gridW = PLATE_COLS * pitch - FIGURE.gap;
  const gridH = PLATE_ROWS * pitch - FIGURE.gap;
  const legendTop = FIGURE.top + gridH + 24;
  const legend = heat.legend;

  // Title block.
  const head = `${title.metric} — ${title.experiment}, plate ${title.plate}`;
  const sub = [
    `dataset ${title.dataset}`,
    title.cellType,
    title.split,
    title.run ? `run ${title.run}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  out.push(text(FIGURE.left, 24, head, { size: 16, weight: 'bold' }));
  out.push(text(FIGURE.left, 44, sub, { size: 12, fill: '#495057' }));
  if (title.note) out.push(text(FIGURE.left, 61, title.note, { size: 11, fill: '#495057' }));

  // Column numbers and row letters.
  for (let c = 1; c <= PLATE_COLS; c++) {
    const { x } = wellCenter(0, c);
    out.push(text(x, FIGURE.top - 6, String(c), { size: 10, anchor: 'middle' }));
  }
  for (let r = 0; r < PLATE_ROWS; r++) {
    const { y } = wellCenter(r, 1);
    out.push(text(FIGURE.left - 8, y + 4, ROW_LETTERS[r]!, { size: 11, anchor: 'end' }));
  }

  // Wells.
  for (let r = 0; r < PLATE_ROWS; r++) {
    for (let c = 1; c <= PLATE_COLS; c++) {
      const name = wellName({ row: r, col: c });
      const look = cellLook(heat, byName.get(name));
      const x = FIGURE.left + (c - 1) * pitch;
      const y = FIGURE.top + r * pitch;
      const size = `width="${FIGURE.cell}" height="${FIGURE.cell}"`;
      if (look.state === 'empty') {
        out.push(`<rect x="${x}" y="${y}" ${size} fill="url(#empty)" data-well="${name}"/>`);
        continue;
      }
      const stroke = look.noImages
        ? ` stroke="${hexOf(NO_IMAGES_STROKE)}" stroke-width="1.5" stroke-dasharray="3 2"`
        : '';
      out.push(
        `<rect x="${x}" y="${y}" ${size} fill="${hexOf(look.fill)}"${stroke} data-well="${name}" data-state="${look.state}"/>`,
      );
      // Controls marked N / P in the corner as on the screen (the centre keeps the well's colour).
      const type = byName.get(name)?.wellType;
      if (type === 'negative_control' || type === 'positive_control') {
        out.push(
          text(x + 2.5, y + 8.5, type === 'negative_control' ? 'N' : 'P', {
            size: 7.5,
            weight: 'bold',
            fill: textOn(look.fill),
          }),
        );
      }
    }
  }

  // Legend.
  let y = legendTop;
  if (legend.kind === 'range') {
    const barW = 320;
    out.push(
      text(FIGURE.left, y, `${legend.label} (${legend.unit})`, { size: 12, weight: 'bold' }),
    );
    y += 8;
    const stops = Array.from({ length: 21 }, (_, i) => {
      const t = i / 20;
      return `<stop offset="${t}" stop-color="${hexOf(continuousColor(legend.map, t))}"/>`;
    }).join('');
    out.push(
      `<defs><linearGradient id="ramp" x1="0" x2="1" y1="0" y2="0">${stops}</linearGradient></defs>`,
    );
    out.push(
      `<rect x="${FIGURE.left}" y="${y}" width="${barW}" height="14" fill="url(#ramp)" stroke="#868e96" stroke-width="0.5"/>`,
    );
    y += 28;
    const mid = (legend.min + legend.max) / 2;
    if (legend.max > legend.min) {
      out.push(text(FIGURE.left, y, tick(legend.min), { size: 11 }));
      out.push(text(FIGURE.left + barW / 2, y, tick(mid), { size: 11, anchor: 'middle' }));
      out.push(text(FIGURE.left + barW, y, tick(legend.max), { size: 11, anchor: 'end' }));
    } else {
      const one = `every well with a value: ${tick(legend.min)} (no range)`;
      out.push(text(FIGURE.left + barW / 2, y, one, { size: 11, anchor: 'middle' }));
    }
    out.push(
      text(FIGURE.left + barW + 16, y - 14, `colormap: ${legend.colormap}`, {
        size: 11,
        fill: '#495057',
      }),
    );
    y += 10;
  } else {
    out.push(text(FIGURE.left, y, title.metric, { size: 12, weight: 'bold' }));
    y += 6;
    const colW = 170;
    const perRow = 4;
    legend.items.forEach((it, i) => {
      const x = FIGURE.left + (i % perRow) * colW;
      const yy = y + Math.floor(i / perRow) * 18;
      out.push(`<rect x="${x}" y="${yy + 3}" width="12" height="12" fill="${hexOf(it.color)}"/>`);
      out.push(text(x + 17, yy + 13, it.label.replace(/_/g, ' '), { size: 11 }));
    });
    const rows = Math.max(1, Math.ceil(legend.items.length / perRow));
    if (legend.items.length === 0) out.push(text(FIGURE.left, y + 13, 'no values on this plate'));
    y += rows * 18;
    if (legend.more > 0) {
      const repeat = `+${legend.more} more categories (colours repeat every ${DISTINCT_CATEGORIES})`;
      out.push(text(FIGURE.left, y + 12, repeat, { fill: '#495057' }));
      y += 16;
    }
  }

  // Keys for the plain looks, and image coverage.
  y += 8;
  const keys: Array<[string, string]> = [
    [
      `<rect x="0" y="0" width="12" height="12" fill="${hexOf(NO_VALUE)}"/>`,
      `no value (${legend.missing} well${legend.missing === 1 ? '' : 's'})`,
    ],
    [
      `<rect x="0.75" y="0.75" width="10.5" height="10.5" fill="#ffffff" stroke="${hexOf(NO_IMAGES_STROKE)}" stroke-width="1.5" stroke-dasharray="3 2"/>`,
      'no images',
    ],
    [`<rect x="0" y="0" width="12" height="12" fill="url(#empty)"/>`, 'no well at this position'],
    [
      `<text x="1" y="10" font-size="10" font-weight="bold" fill="#212529">N</text>`,
      'negative control (P: positive control)',
    ],
  ];
  let kx = FIGURE.left;
  for (const [shape, label] of keys) {
    // Wrap to a new line when the key would run past the right edge (~6.2 units per character).
    const w = 17 + label.length * 6.2 + 18;
    if (kx > FIGURE.left && kx + w > FIGURE.width) {
      kx = FIGURE.left;
      y += 20;
    }
    out.push(`<g transform="translate(${kx} ${y})">${shape}</g>`);
    out.push(text(kx + 17, y + 10, label, { size: 11 }));
    kx += w;
  }
  // Image coverage on its own line under the keys.
  y += 20;
  out.push(text(FIGURE.left, y + 10, coverageText(legend), { size: 11 }));
  const height = y + 28;

  const [a, b] = EMPTY_STRIPES;
  const defs =
    // Diagonal stripes drawn as a path: a rotated pattern (patternTransform) takes librsvg ~3 s.
    `<defs><pattern id="empty" width="6" height="6" patternUnits="userSpaceOnUse">` +
    `<rect width="6" height="6" fill="${hexOf(b)}"/>` +
    `<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="${hexOf(a)}" stroke-width="2"/></pattern></defs>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${FIGURE.width}" height="${height}" viewBox="0 0 ${FIGURE.width} ${height}" font-family="${FIGURE.font}">` +
    `<title>${esc(`${head} (${sub})`)}</title>` +
    defs +
    `<rect width="${FIGURE.width}" height="${height}" fill="#ffffff"/>` +
    `<g data-grid="${gridW}x${gridH}">` +
    out.join('') +
    `</g></svg>`
  );
}
