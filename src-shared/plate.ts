// The 384-well plate as RxRx1 uses it: rows A–P × columns 01–24, the outer ring empty,
// 308 used wells (B–O × 02–23), the negative control at B02, positive controls on a fixed grid.
// Pure (no Node/DOM): the one plate geometry for the core, the renderer's grid and the figures.

export const PLATE_ROWS = 16;
export const PLATE_COLS = 24;
export const ROW_LETTERS = 'ABCDEFGHIJKLMNOP'.split('');

/** Wells that RxRx1 fills: rows B–O, columns 02–23. */
export const USED_ROWS = ROW_LETTERS.slice(1, 15);
export const USED_COLS = Array.from({ length: 22 }, (_, i) => i + 2);

export const NEGATIVE_CONTROL_WELL = 'B02';
/** Rows and columns where RxRx1 places positive controls (shuffled among these positions per plate). */
export const POSITIVE_CONTROL_ROWS = ['C', 'F', 'H', 'J', 'M'];
export const POSITIVE_CONTROL_COLS = [3, 7, 11, 15, 19, 22];

export const SIRNA_CLASSES = 1108;
export const POSITIVE_CONTROL_IDS = Array.from({ length: 30 }, (_, i) => 1108 + i);
export const NEGATIVE_CONTROL_ID = 1138;
export const CHANNELS = 6;
export const SITES = 2;

export interface WellPosition {
  /** Zero-based row index, 0 = A. */
  row: number;
  /** One-based column number, 1..24. */
  col: number;
}

/** 'B02' -> {row: 1, col: 2}; returns null for anything that is not a 384-well name. */
export function parseWellName(name: string): WellPosition | null {
  const m = /^([A-Pa-p])(\d{1,2})$/.exec(name);
  if (!m) return null;
  const row = ROW_LETTERS.indexOf(m[1]!.toUpperCase());
  const col = Number(m[2]);
  if (row < 0 || col < 1 || col > PLATE_COLS) return null;
  return { row, col };
}

/** {row: 1, col: 2} -> 'B02' (zero-padded, as RxRx1 writes it). */
export function wellName(pos: WellPosition): string {
  return `${ROW_LETTERS[pos.row]}${String(pos.col).padStart(2, '0')}`;
}

export function isUsedWell(pos: WellPosition): boolean {
  return pos.row >= 1 && pos.row <= 14 && pos.col >= 2 && pos.col <= 23;
}

/** Number of wells RxRx1 fills on a plate (14 × 22). */
export const USED_WELL_COUNT = 308;

/** Normalises 'b2' / 'B2' / 'B02' to 'B02'; null when not a 384-well name. */
export function normalizeWell(name: string): string | null {
  const pos = parseWellName(name.trim());
  return pos ? wellName(pos) : null;
}

/** The 308 used wells in row-major order (B02, B03, …, O23). */
export function usedWells(): string[] {
  const out: string[] = [];
  for (let row = 1; row <= 14; row++)
    for (let col = 2; col <= 23; col++) out.push(wellName({ row, col }));
  return out;
}

/** The 30 candidate positive-control positions (5 rows × 6 columns). */
export function positiveControlWells(): string[] {
  const out: string[] = [];
  for (const r of POSITIVE_CONTROL_ROWS)
    for (const c of POSITIVE_CONTROL_COLS) out.push(`${r}${String(c).padStart(2, '0')}`);
  return out;
}

/** 'HUVEC-05' -> {cellType: 'HUVEC', batch: 5}; unknown shapes keep the whole name as cell type. */
export function parseExperimentName(name: string): { cellType: string; batch: number | null } {
  const m = /^(.+)-(\d+)$/.exec(name);
  if (!m) return { cellType: name, batch: null };
  return { cellType: m[1]!, batch: Number(m[2]) };
}

/** Kaggle id_code: `{experiment}_{plate}_{well}`. */
export function idCode(experiment: string, plate: number, well: string): string {
  return `${experiment}_${plate}_${well}`;
}

/**
 * The inverse of idCode: 'HEPG2-04_4_G18' -> {experiment: 'HEPG2-04', plate: 4, well: 'G18'}.
 * Returns null for any other shape (the experiment may itself contain '_'; the last two parts are
 * the plate number and the well name).
 */
export function parseIdCode(
  id: string,
): { experiment: string; plate: number; well: string } | null {
  const m = /^(.+)_(\d+)_([A-Z]\d{2})$/.exec(id);
  if (!m || Number(m[2]) < 1) return null;
  return { experiment: m[1]!, plate: Number(m[2]), well: m[3]! };
}
