// Arrow-key movement on a plate that may be sparse (a real plate with only some wells imaged or in
// the metadata): the next well that exists in the pressed direction, never an empty position.

export interface GridWell {
  /** 'B02' */
  well: string;
  /** 0-based row (A = 0). */
  row: number;
  /** 1-based column. */
  col: number;
}

/**
 * The well to select after moving by (dr, dc) ∈ {(±1,0),(0,±1)} from `current` (a well name).
 * Prefers the nearest well on the same row/column in that direction; else the nearest one in that
 * half of the plate (smallest step along the direction, then smallest sideways offset, then the
 * upper/left one). Stays on `current` when nothing lies that way. With no (known) current well it
 * selects the first well in reading order. Null only for an empty plate.
 */
export function nextWell(
  wells: readonly GridWell[],
  current: string | null,
  dr: number,
  dc: number,
): string | null {
  if (wells.length === 0) return null;
  const cur = current ? wells.find((w) => w.well === current) : undefined;
  if (!cur) {
    return [...wells].sort((a, b) => a.row - b.row || a.col - b.col)[0].well;
  }
  let best: GridWell | null = null;
  let bestKey: [number, number, number] | null = null;
  for (const w of wells) {
    const along = (w.row - cur.row) * dr + (w.col - cur.col) * dc;
    if (along <= 0) continue;
    const side = Math.abs(dr !== 0 ? w.col - cur.col : w.row - cur.row);
    const key: [number, number, number] = [
      side === 0 ? 0 : 1,
      side === 0 ? along : along + side,
      dr !== 0 ? w.col : w.row,
    ];
    if (
      !bestKey ||
      key[0] < bestKey[0] ||
      (key[0] === bestKey[0] &&
        (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))
    ) {
      best = w;
      bestKey = key;
    }
  }
  return best ? best.well : cur.well;
}
