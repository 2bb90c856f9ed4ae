// Keeps experiment and plate ids for one indexing run, inserting rows the first time a name is
// met (from metadata or from folders). The tables are small, so they are loaded once.
import type { Catalog } from '../db';
import type { Split } from '../../dataset/layout';
import { parseExperimentName } from '../../dataset/plate';

interface ExperimentRow {
  id: number;
  name: string;
  split: Split;
  cell_type: string;
  batch: number | null;
}

export class CatalogIds {
  private readonly experiments = new Map<string, ExperimentRow>();
  private readonly plates = new Map<string, number>();

  constructor(private readonly db: Catalog) {
    for (const e of db
      .prepare('SELECT id, name, split, cell_type, batch FROM experiments')
      .all() as ExperimentRow[])
      this.experiments.set(e.name, e);
    const rows = db.prepare('SELECT id, experiment_id, plate FROM plates').all() as Array<{
      id: number;
      experiment_id: number;
      plate: number;
    }>;
    for (const p of rows) this.plates.set(`${p.experiment_id}/${p.plate}`, p.id);
  }

  /**
   * Id of an experiment, created when new. `authoritative` (metadata) also corrects the split and
   * cell type of an existing row; folders only fill in experiments the metadata does not know.
   */
  experiment(name: string, split: Split, cellType?: string, authoritative = false): number {
    const parsed = parseExperimentName(name);
    const wanted = { split, cell_type: cellType ?? parsed.cellType, batch: parsed.batch };
    const row = this.experiments.get(name);
    if (row) {
      if (
        authoritative &&
        (row.split !== wanted.split ||
          row.cell_type !== wanted.cell_type ||
          row.batch !== wanted.batch)
      ) {
        this.db
          .prepare('UPDATE experiments SET split = ?, cell_type = ?, batch = ? WHERE id = ?')
          .run(wanted.split, wanted.cell_type, wanted.batch, row.id);
        Object.assign(row, wanted);
      }
      return row.id;
    }
    const id = Number(
      this.db
        .prepare('INSERT INTO experiments (name, split, cell_type, batch) VALUES (?, ?, ?, ?)')
        .run(name, wanted.split, wanted.cell_type, wanted.batch).lastInsertRowid,
    );
    this.experiments.set(name, { id, name, ...wanted });
    return id;
  }

  experimentSplit(name: string): Split | undefined {
    return this.experiments.get(name)?.split;
  }

  plate(experimentId: number, plate: number): number {
    const key = `${experimentId}/${plate}`;
    const known = this.plates.get(key);
    if (known !== undefined) return known;
    const id = Number(
      this.db
        .prepare('INSERT INTO plates (experiment_id, plate) VALUES (?, ?)')
        .run(experimentId, plate).lastInsertRowid,
    );
    this.plates.set(key, id);
    return id;
  }

  findPlate(experiment: string, plate: number): number | undefined {
    const e = this.experiments.get(experiment);
    return e ? this.plates.get(`${e.id}/${plate}`) : undefined;
  }
}
