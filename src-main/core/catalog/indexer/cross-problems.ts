// Problems that compare metadata with the files: wells listed in the CSVs without images, wells
// with images but no CSV row (both summarised per plate, with exact counts), and experiments whose
// folder sits under the other split. Recomputed on every run from the tables.
import type { Catalog } from '../db';
import type { Problem } from '../../dataset/metadata';
import { readMeta } from '../meta';

const EXAMPLES = 5;

interface PlateGap {
  /** The plate's folder where one was indexed, else null. */
  dir: string | null;
  split: string;
  experiment: string;
  plate: number;
  n: number;
  total: number;
  examples: string;
}

function gaps(db: Catalog, condition: string): PlateGap[] {
  return db
    .prepare(
      `SELECT e.split, e.name AS experiment, p.plate,
              (SELECT min(s.dir) FROM plate_scans s WHERE s.experiment = e.name AND s.plate = p.plate) AS dir,
              SUM(${condition}) AS n, COUNT(*) AS total,
              (SELECT group_concat(well, ', ') FROM (
                 SELECT w2.well FROM wells w2 WHERE w2.plate_id = p.id AND ${condition.replaceAll('w.', 'w2.')}
                 ORDER BY w2.row, w2.col LIMIT ${EXAMPLES})) AS examples
       FROM wells w JOIN plates p ON p.id = w.plate_id JOIN experiments e ON e.id = p.experiment_id
       GROUP BY p.id HAVING n > 0 ORDER BY e.split DESC, e.name, p.plate`,
    )
    .all() as PlateGap[];
}

function more(g: PlateGap): string {
  return g.n > EXAMPLES ? `${g.examples}, …` : g.examples;
}

export function crossProblems(db: Catalog): Problem[] {
  const out: Problem[] = [];
  // A plate without a folder is named where its release keeps plate folders.
  const prefix = (g: PlateGap) => (readMeta(db, 'format') === 'rxrx1-2020' ? 'images' : g.split);
  const where = (g: PlateGap) => g.dir ?? `${prefix(g)}/${g.experiment}/Plate${g.plate}`;
  for (const g of gaps(db, '(w.in_metadata = 1 AND w.has_images = 0)'))
    out.push({
      kind: 'csv-row-without-images',
      path: where(g),
      message: `${g.n} well${g.n > 1 ? 's' : ''} listed in the metadata have no images (${more(g)})`,
      count: g.n,
    });
  for (const g of gaps(db, '(w.in_metadata = 0 AND w.has_images = 1)'))
    out.push({
      kind: 'image-without-csv-row',
      path: where(g),
      message: `${g.n} well${g.n > 1 ? 's' : ''} with images have no metadata row (${more(g)})`,
      count: g.n,
    });
  // Only folders whose path names a split can sit under the wrong one (not images/{EXP}/...).
  const misplaced = db
    .prepare(
      `SELECT s.dir, e.split FROM plate_scans s JOIN experiments e ON e.name = s.experiment
       WHERE e.split != s.split
         AND (s.dir LIKE 'train/%' OR s.dir LIKE 'test/%' OR s.dir LIKE 'images/train/%' OR s.dir LIKE 'images/test/%')
       ORDER BY s.dir`,
    )
    .all() as Array<{ dir: string; split: string }>;
  for (const m of misplaced)
    out.push({
      kind: 'outside-layout',
      path: m.dir,
      message: `the metadata puts this experiment in ${m.split}, but the folder is not under ${m.split}/`,
    });
  return out;
}
