// 384-well plate geometry for the grid: rows A–P, columns 1–24, the used area B–O × 2–23
// (308 wells) and the unused outer ring that is drawn greyed.
export const ROWS = 16;
export const COLS = 24;
export const ROW_LETTERS = 'ABCDEFGHIJKLMNOP'.split('');

export function isUsedPosition(row: number, col: number): boolean {
  return row >= 1 && row <= 14 && col >= 2 && col <= 23;
}

/** 'B02' from 0-based row and 1-based column. */
export function wellName(row: number, col: number): string {
  return `${ROW_LETTERS[row]}${String(col).padStart(2, '0')}`;
}

/** Normalises 'b2' / 'B2' / 'B02' to 'B02'; null when not a 384-well name. */
export function normalizeWell(name: string): string | null {
  const m = /^([A-Pa-p])(\d{1,2})$/.exec(name.trim());
  if (!m) return null;
  const row = m[1].toUpperCase().charCodeAt(0) - 65;
  const col = Number(m[2]);
  if (col < 1 || col > COLS) return null;
  return wellName(row, col);
}

/** Next used position from (row, col) moving by (dr, dc), clamped to the used area. */
export function stepWithin(row: number, col: number, dr: number, dc: number): [number, number] {
  const r = Math.min(14, Math.max(1, row + dr));
  const c = Math.min(23, Math.max(2, col + dc));
  return [r, c];
}
