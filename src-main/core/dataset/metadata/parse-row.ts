// Turns one metadata CSV row into a WellMeta: validates experiment/plate/well, canonicalises the
// well name, parses the label in the file's convention and settles the well type.
import {
  idCode,
  parseExperimentName,
  parseWellName,
  wellName,
  NEGATIVE_CONTROL_ID,
} from '../plate';
import type { Split } from '../layout';
import type { CsvRow, UntidyValues } from './csv-table';
import type { Problem, WellMeta, WellType } from './types';

/**
 * How a file set writes siRNA labels: 'integer' (2019 Kaggle ids 0–1138) or 'string' (the later
 * re-release: 'sirna_250', 'UNTREATED'). The two are different numberings: 'sirna_250' is not 250.
 */
export type LabelStyle = 'integer' | 'string';

/** A whole number as written, also as a float export writes it ('513.0'). */
const INTEGER_RE = /^\d+(\.0+)?$/;

const WELL_TYPES: readonly WellType[] = ['treatment', 'positive_control', 'negative_control'];

export interface ParsedLabel {
  sirna: string | null;
  sirnaId: number | null;
}

/**
 * '513' -> {sirna '513', sirnaId 513}; a string label ('sirna_250', 'UNTREATED') keeps its text and
 * has no sirnaId: sirnaId is the 2019 integer id only, and the re-release's numbers are not those.
 * Returns null for a string label in an integer-style file set.
 */
export function parseLabel(raw: string, style: LabelStyle): ParsedLabel | null {
  if (raw === '') return { sirna: null, sirnaId: null };
  if (INTEGER_RE.test(raw)) {
    const id = Number(raw);
    return { sirna: String(id), sirnaId: id };
  }
  if (style === 'integer') return null;
  return { sirna: raw, sirnaId: null };
}

/** The style of one label: null for an empty one (an unlabelled test well). */
export function labelStyleOf(raw: string): LabelStyle | null {
  if (raw === '') return null;
  return INTEGER_RE.test(raw) ? 'integer' : 'string';
}

export function isStringLabel(raw: string): boolean {
  return labelStyleOf(raw) === 'string';
}

function inferWellType(label: ParsedLabel, style: LabelStyle): WellType {
  if (label.sirna !== null && /^untreated$/i.test(label.sirna)) return 'negative_control';
  // Only the 2019 numbering puts the controls at fixed ids (1108–1137 positive, 1138 negative).
  if (style === 'integer' && label.sirnaId !== null) {
    if (label.sirnaId === NEGATIVE_CONTROL_ID) return 'negative_control';
    if (label.sirnaId >= 1108 && label.sirnaId < NEGATIVE_CONTROL_ID) return 'positive_control';
  }
  return 'treatment';
}

export interface RowContext {
  file: string;
  split: Split;
  style: LabelStyle;
  /** The file set mixes both styles (a reported problem): each label is read in its own style. */
  mixed?: boolean;
  problems: Problem[];
  /** Where values written with surrounding spaces or quotes are noted (reported per file and column). */
  untidy?: UntidyValues;
}

/** The columns whose values decide a well's identity and label (checked for untidy values). */
export const WELL_ROW_COLUMNS = [
  'id_code',
  'well_id',
  'experiment',
  'plate',
  'well',
  'site',
  'sirna',
  'sirna_id',
  'well_type',
  'dataset',
  'cell_type',
] as const;

function bad(ctx: RowContext, line: number, message: string): null {
  ctx.problems.push({ kind: 'malformed-row', path: ctx.file, message: `line ${line}: ${message}` });
  return null;
}

/** Parses experiment/plate/well/sirna/well_type columns; returns null (with a problem) when malformed. */
export function parseWellRow(row: CsvRow, ctx: RowContext): WellMeta | null {
  ctx.untidy?.check(ctx.file, row, WELL_ROW_COLUMNS);
  const experiment = row.get('experiment') ?? '';
  // 'Plate1' is how the folders name a plate; some hand-made files copy it into the plate column.
  const plateText = (row.get('plate') ?? '').replace(/^plate\s*/i, '');
  const wellText = row.get('well') ?? '';
  if (experiment === '') return bad(ctx, row.line, 'empty experiment');
  if (!/^\d+$/.test(plateText) || Number(plateText) < 1)
    return bad(ctx, row.line, `plate "${plateText}" is not a positive whole number`);
  const pos = parseWellName(wellText);
  if (!pos) return bad(ctx, row.line, `well "${wellText}" is not a 384-well name like B02`);
  const plate = Number(plateText);
  const well = wellName(pos);
  const id = idCode(experiment, plate, well);
  const given = row.get('id_code');
  if (given !== undefined && given !== id && given !== idCode(experiment, plate, wellText))
    return bad(ctx, row.line, `id_code "${given}" does not match experiment/plate/well (${id})`);
  const labelText = row.get('sirna') ?? '';
  const style = ctx.mixed ? (labelStyleOf(labelText) ?? ctx.style) : ctx.style;
  const label = parseLabel(labelText, style);
  if (!label) return bad(ctx, row.line, `sirna "${row.get('sirna')}" is not a whole number`);
  const typeText = (row.get('well_type') ?? '').toLowerCase();
  let wellType: WellType;
  if (typeText === '') wellType = inferWellType(label, style);
  else if ((WELL_TYPES as readonly string[]).includes(typeText)) wellType = typeText as WellType;
  else
    return bad(
      ctx,
      row.line,
      `well_type "${row.get('well_type')}" is not treatment, positive_control or negative_control`,
    );
  return {
    split: ctx.split,
    experiment,
    plate,
    well,
    idCode: id,
    cellType: parseExperimentName(experiment).cellType,
    wellType,
    sirna: label.sirna,
    sirnaId: label.sirnaId,
    sourceFile: ctx.file,
    sourceLine: row.line,
  };
}
