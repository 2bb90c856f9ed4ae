// Parses `pixel_stats.csv` (papaparse, by header name) into columns. The catalog indexer runs it on
// a worker thread (catalog/indexer/pixel-worker.ts) so the big file (753,060 rows) is parsed while
// plates are indexed.
// papaparse rather than csv-parse here: about a third of the CPU on this file. Line numbers for
// problems are counted from the parser's cursor, so quoted fields spanning lines number correctly.
import type * as NodeFs from 'node:fs';
import type Papa from 'papaparse';

/** papaparse's `parse`, passed in so the worker can hand over its own `require`d copy. */
export type PapaParse = typeof Papa.parse;

/** Column-wise pixel stats; NaN stands for an absent value, -1 for no well. */
export interface PixelStatColumns {
  n: number;
  experiments: string[];
  experiment: Uint32Array;
  wells: string[];
  well: Int32Array;
  /** plate, site, channel, mean, std, median, min, max: Float64Array each. */
  values: Record<
    'plate' | 'site' | 'channel' | 'mean' | 'std' | 'median' | 'min' | 'max',
    Float64Array
  >;
}

export interface PixelStatsParse {
  columns: PixelStatColumns | null;
  /** Problems as {kind, path, message} objects (kinds from metadata/types.ts). */
  problems: Array<{ kind: 'missing-file' | 'malformed-row'; path: string; message: string }>;
}

export function parsePixelStatsCore(
  fs: typeof NodeFs,
  parse: PapaParse,
  file: string,
  name: string,
): PixelStatsParse {
  const problems: PixelStatsParse['problems'] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({
      kind: 'missing-file',
      path: name,
      message: `cannot read ${name}: ${(err as Error).message}`,
    });
    return { columns: null, problems };
  }
  const NUMERIC = ['plate', 'site', 'channel', 'mean', 'std', 'median', 'min', 'max'] as const;
  let cap = 1024;
  let n = 0;
  let experiment = new Uint32Array(cap);
  let well = new Int32Array(cap);
  const values: Record<string, Float64Array> = {};
  for (const c of NUMERIC) values[c] = new Float64Array(cap);
  const experiments: string[] = [];
  const expIndex = new Map<string, number>();
  const wells: string[] = [];
  const wellIndex = new Map<string, number>();
  let header: string[] | null = null;
  let col: Record<string, number> = {};
  let usable = true;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Trims like csv-parse's `trim`, but only touches fields that need it (numbers rarely do).
  const trimmed = (t: string) =>
    t.length > 0 && (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32) ? t.trim() : t;
  let line = 1; // line the current row starts on
  let at = 0; // text offset where the current row starts
  let failure: string | null = null;
  const onRecord = (record: string[]): void => {
    if (header === null) {
      header = record.map((h) => trimmed(h).toLowerCase());
      col = {};
      header.forEach((h, i) => (col[h] = i));
      const missing = ['experiment', 'channel', 'mean'].filter((c) => col[c] === undefined);
      if (missing.length) {
        usable = false;
        problems.push({
          kind: 'malformed-row',
          path: name,
          message: `line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        });
      }
      return;
    }
    if (!usable) return;
    if (record.length !== header.length) {
      problems.push({
        kind: 'malformed-row',
        path: name,
        message: `line ${line}: ${record.length} fields, header has ${header.length}`,
      });
      return;
    }
    const exp = trimmed(record[col.experiment!]!);
    if (exp === '') {
      problems.push({
        kind: 'malformed-row',
        path: name,
        message: `line ${line}: empty experiment`,
      });
      return;
    }
    if (n === cap) {
      cap *= 2;
      const e2 = new Uint32Array(cap);
      e2.set(experiment);
      experiment = e2;
      const w2 = new Int32Array(cap);
      w2.set(well);
      well = w2;
      for (const c of NUMERIC) {
        const v2 = new Float64Array(cap);
        v2.set(values[c]!);
        values[c] = v2;
      }
    }
    for (const c of NUMERIC) {
      const i = col[c];
      const t = i === undefined ? '' : trimmed(record[i]!);
      const v = t === '' ? NaN : Number(t);
      if (t !== '' && !Number.isFinite(v)) {
        problems.push({
          kind: 'malformed-row',
          path: name,
          message: `line ${line}: ${c} "${t}" is not a number`,
        });
        return;
      }
      if ((c === 'channel' || c === 'mean') && t === '') {
        problems.push({
          kind: 'malformed-row',
          path: name,
          message: `line ${line}: ${c} is empty`,
        });
        return;
      }
      if (c === 'channel' && (!Number.isInteger(v) || v < 1)) {
        problems.push({
          kind: 'malformed-row',
          path: name,
          message: `line ${line}: channel "${t}" is not a channel number`,
        });
        return;
      }
      values[c]![n] = v;
    }
    const wt = col.well === undefined ? '' : trimmed(record[col.well]!);
    let wi = -1;
    if (wt !== '') {
      const known = wellIndex.get(wt);
      if (known !== undefined) wi = known;
      else {
        const m = /^([A-Pa-p])(\d{1,2})$/.exec(wt);
        const c = m ? Number(m[2]) : 0;
        if (!m || c < 1 || c > 24) {
          problems.push({
            kind: 'malformed-row',
            path: name,
            message: `line ${line}: well "${wt}" is not a 384-well name`,
          });
          return;
        }
        const canonical = `${m[1]!.toUpperCase()}${String(c).padStart(2, '0')}`;
        wi = wells.indexOf(canonical);
        if (wi < 0) wi = wells.push(canonical) - 1;
        wellIndex.set(wt, wi);
      }
    }
    let ei = expIndex.get(exp);
    if (ei === undefined) {
      ei = experiments.push(exp) - 1;
      expIndex.set(exp, ei);
    }
    experiment[n] = ei;
    well[n] = wi;
    n++;
  };
  parse(text, {
    delimiter: ',',
    step: (row, parser) => {
      if (row.errors.length > 0) {
        failure = `line ${line}: cannot parse ${name} as CSV: ${row.errors[0]!.message}`;
        parser.abort();
        return;
      }
      const record = row.data as string[];
      // Empty lines are skipped (csv-parse's skip_empty_lines), but still counted.
      if (!(record.length === 1 && record[0] === '')) onRecord(record);
      const end = row.meta.cursor;
      for (let k = text.indexOf('\n', at); k !== -1 && k < end; k = text.indexOf('\n', k + 1))
        line++;
      at = end;
    },
  });
  if (failure !== null) {
    problems.push({ kind: 'malformed-row', path: name, message: failure });
    return { columns: null, problems };
  }
  if (header === null) {
    problems.push({
      kind: 'malformed-row',
      path: name,
      message: `${name} is empty (no header line)`,
    });
    return { columns: null, problems };
  }
  const cut = <T extends { subarray(a: number, b: number): T; slice(a: number, b: number): T }>(
    a: T,
  ) => a.slice(0, n);
  const out: Record<string, Float64Array> = {};
  for (const c of NUMERIC) out[c] = cut(values[c]!);
  return {
    columns: {
      n,
      experiments,
      experiment: cut(experiment),
      wells,
      well: cut(well),
      values: out as PixelStatColumns['values'],
    },
    problems,
  };
}
