// A tiny CSV writer: RFC 4180 quoting only where a value needs it (comma, quote, CR or LF).

export type CsvValue = string | number;

export function csvField(value: CsvValue): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\n';
}

/** Header plus rows, each line ending in '\n'. */
export function csvText(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  let out = csvLine(header);
  for (const row of rows) out += csvLine(row);
  return out;
}
