// Kaggle submission: header `id_code,sirna`, exactly one row per test well in test.csv's order (the
// 2020 release: metadata.csv's test wells), labels in the dataset's own style (2019 integer ids or
// the re-release's strings) and checked against its sample_submission.csv when present. Any problem
// refuses the write with an error that names it; the file is written atomically.
import { readCsvTable, csvExists, requireColumns } from '../../dataset/metadata/csv-table';
import { labelStyleOf, type LabelStyle } from '../../dataset/metadata';
import { METADATA_2020 } from '../../dataset/metadata/read-2020';
import type { Problem } from '../../dataset/metadata';
import { inputError } from '../../errors';
import { writeFileAtomicSync } from '../../util/atomic-write';

const few = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ', …' : ''}`;

/** Reads one CSV of the dataset with the metadata reader; any problem reading it is an input error. */
function readOrRefuse(root: string, name: string, columns: string[], purpose: string) {
  const problems: Problem[] = [];
  const table = readCsvTable(root, name, problems);
  if (table) requireColumns(table, columns, problems);
  const bad = problems.find((p) => p.kind !== 'untidy-value');
  if (!table || bad)
    throw inputError(`${root}/${name}: ${bad?.message ?? 'cannot read'} (${purpose})`, {
      path: name,
    });
  return table;
}

/**
 * id_codes of the test wells in submission order: test.csv's rows, or for the 2020 release (no
 * test.csv) the wells of metadata.csv's `dataset = test` rows in first-seen order. Throws an input
 * error naming the file when neither can be read or an id is empty.
 */
export function readTestIds(root: string): string[] {
  if (!csvExists(root, 'test.csv') && csvExists(root, METADATA_2020)) {
    const table = readOrRefuse(
      root,
      METADATA_2020,
      ['experiment', 'plate', 'well', 'dataset'],
      'the submission lists its test wells',
    );
    const ids: string[] = [];
    const seen = new Set<string>();
    for (const r of table.rows) {
      if ((r.get('dataset') ?? '').toLowerCase() !== 'test') continue;
      const well = r.get('well') ?? '';
      const id = r.get('well_id') || `${r.get('experiment')}_${r.get('plate')}_${well}`;
      if (!seen.has(id)) ids.push(id);
      seen.add(id);
    }
    if (ids.length === 0) throw inputError(`${root}/${METADATA_2020}: has no test rows`);
    return ids;
  }
  const table = readOrRefuse(root, 'test.csv', [], 'the submission lists its rows');
  if (table.rows.length === 0) throw inputError(`${root}/test.csv: has no rows`);
  // Without an id_code column the id is composed as Kaggle does: {experiment}_{plate}_{well}.
  const composed = !table.header.includes('id_code');
  if (composed) requireColumnsOrRefuse(root, table, ['experiment', 'plate', 'well']);
  return table.rows.map((r) => {
    const id = composed
      ? `${r.get('experiment') ?? ''}_${r.get('plate') ?? ''}_${r.get('well') ?? ''}`
      : (r.get('id_code') ?? '');
    if (!id || (composed && /^_|__|_$/.test(id)))
      throw inputError(`${root}/test.csv: line ${r.line} has an empty id_code`);
    return id;
  });
}

function requireColumnsOrRefuse(
  root: string,
  table: { file: string; header: string[] },
  columns: string[],
): void {
  const problems: Problem[] = [];
  if (!requireColumns(table, columns, problems))
    throw inputError(`${root}/${table.file}: ${problems[0]!.message}`, { path: table.file });
}

export interface SampleSubmission {
  file: string;
  ids: string[];
  /** The style of its labels, or null when every label is empty. */
  style: LabelStyle | null;
  /** Where its first label is, for messages. */
  first: { line: number; value: string } | null;
}

export const SAMPLE_SUBMISSION = 'sample_submission.csv';

/** The dataset's sample_submission.csv (id order and label style), or null when there is none. */
export function readSampleSubmission(root: string): SampleSubmission | null {
  if (!csvExists(root, SAMPLE_SUBMISSION)) return null;
  const table = readOrRefuse(
    root,
    SAMPLE_SUBMISSION,
    ['id_code'],
    'the submission is checked against it',
  );
  let style: LabelStyle | null = null;
  let first: SampleSubmission['first'] = null;
  for (const r of table.rows) {
    const value = r.get('sirna') ?? '';
    const s = labelStyleOf(value);
    if (s) {
      style = s;
      first = { line: r.line, value };
      break;
    }
  }
  return {
    file: SAMPLE_SUBMISSION,
    ids: table.rows.map((r) => r.get('id_code') ?? ''),
    style,
    first,
  };
}

/** The dataset label styles a submission can be written in ('mixed' and 'none' cannot). */
export type DatasetStyle = 'integer' | 'string' | 'mixed' | 'none';

/**
 * The label a predicted class is written as: the 2019 integer id where the dataset uses integers
 * (the class's id, or its label when that is itself an integer), its label text where the dataset
 * uses the re-release's strings. buildSubmission then refuses any label of the other style.
 */
export function submissionLabel(
  label: string,
  sirnaId: number | null | undefined,
  style: DatasetStyle,
): string {
  if (style === 'integer' && sirnaId !== null && sirnaId !== undefined) return String(sirnaId);
  return label;
}

export interface BuildSubmissionOptions {
  /** The dataset's label style (default 'integer', the 2019 competition). */
  style?: DatasetStyle;
  /** The dataset's sample submission: its ids and order must match and its labels' style too. */
  sample?: SampleSubmission | null;
}

/**
 * Builds the CSV text: `id_code,sirna` then one line per test id, in `testIds` order. Throws an
 * input error naming every kind of problem found (first few examples each): duplicate or missing
 * ids, labels not in the dataset's style, a sample submission with other ids, order or style, a
 * dataset whose labels mix both styles.
 */
export function buildSubmission(
  testIds: string[],
  predicted: Map<string, string>,
  source: string,
  opts: BuildSubmissionOptions = {},
): string {
  const style = opts.style ?? 'integer';
  const refuse = (why: string) =>
    inputError(`refusing to write an invalid submission from ${source}: ${why}`);
  if (style === 'mixed')
    throw refuse(
      "the dataset's siRNA labels mix 2019 integer ids and re-release strings (see the 'mixed-label-style' problem); they are different numberings, so no submission style is right",
    );
  if (style === 'none') throw refuse('the dataset has no label metadata');
  const problems: string[] = [];
  const seen = new Set<string>();
  const dup: string[] = [];
  const missing: string[] = [];
  const bad: string[] = [];
  const lines = ['id_code,sirna'];
  for (const id of testIds) {
    if (seen.has(id)) dup.push(id);
    seen.add(id);
    const s = predicted.get(id);
    if (s === undefined) missing.push(id);
    else if (style === 'integer' ? !/^\d+$/.test(s) : labelStyleOf(s) !== 'string')
      bad.push(`${id}=${s}`);
    else lines.push(`${id},${s}`);
  }
  if (dup.length) problems.push(`${dup.length} duplicate id_code(s) in test.csv: ${few(dup)}`);
  if (missing.length)
    problems.push(
      `${missing.length} test well(s) have no prediction (missing images?): ${few(missing)}`,
    );
  if (bad.length)
    problems.push(
      style === 'integer'
        ? `${bad.length} prediction(s) are not an integer siRNA id: ${few(bad)}`
        : `${bad.length} prediction(s) are not string labels like sirna_250, as this dataset's (re-release) labels are; the 2019 integer ids are another numbering: ${few(bad)}`,
    );
  const sample = opts.sample;
  if (sample) {
    if (sample.style && sample.style !== style)
      problems.push(
        `${sample.file} writes ${sample.style} labels (line ${sample.first!.line}: ${sample.first!.value}) but this dataset's labels are ${style}`,
      );
    const inSample = new Set(sample.ids);
    const notInSample = testIds.filter((id) => !inSample.has(id));
    const notInTest = sample.ids.filter((id) => !seen.has(id));
    if (notInSample.length)
      problems.push(
        `${notInSample.length} test id(s) are not in ${sample.file}: ${few(notInSample)}`,
      );
    if (notInTest.length)
      problems.push(
        `${notInTest.length} id(s) of ${sample.file} are not test wells: ${few(notInTest)}`,
      );
    if (!notInSample.length && !notInTest.length && sample.ids.length === testIds.length) {
      const at = testIds.findIndex((id, i) => sample.ids[i] !== id);
      if (at >= 0)
        problems.push(
          `row ${at + 1} is ${testIds[at]} but ${sample.file} has ${sample.ids[at]} there (another order)`,
        );
    } else if (!notInSample.length && !notInTest.length)
      problems.push(
        `${sample.file} has ${sample.ids.length} rows, the test wells ${testIds.length}`,
      );
  }
  if (problems.length) throw refuse(problems.join('; '));
  if (lines.length - 1 !== testIds.length)
    throw inputError(
      `submission would have ${lines.length - 1} rows, test.csv has ${testIds.length}`,
    );
  return `${lines.join('\n')}\n`;
}

export function writeSubmission(file: string, csv: string): number {
  writeFileAtomicSync(file, csv);
  return csv.split('\n').length - 2;
}
