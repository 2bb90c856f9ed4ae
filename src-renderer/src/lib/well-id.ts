// Reads a typed well id (any case: 'huvec-01_1_b2') into the catalog's id_code ('HUVEC-01_1_B02')
// using the open dataset's experiment names, so the well box is case-insensitive.
import { normalizeWell } from '../../../src-shared/plate';

/**
 * `{experiment}_{plate}_{well}` typed in any case and with 'B2' or 'B02' → the id_code with the
 * experiment spelled as in `experiments` (matched case-insensitively) and the well as 'B02'.
 * Returns null when the text has no such shape or names no known experiment; with an empty
 * `experiments` list (summary not loaded) the experiment is kept as typed.
 */
export function resolveIdCode(text: string, experiments: readonly string[]): string | null {
  const m = /^\s*(.+)_(\d+)_([A-Za-z]\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const well = normalizeWell(m[3]);
  if (!well) return null;
  let exp = m[1];
  if (experiments.length > 0) {
    const found = experiments.find((e) => e.toLowerCase() === exp.toLowerCase());
    if (!found) return null;
    exp = found;
  }
  return `${exp}_${Number(m[2])}_${well}`;
}
