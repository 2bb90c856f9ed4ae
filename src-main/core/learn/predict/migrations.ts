// The learner's catalog tables (migration numbers 10–19, and 40–49 for later changes: a number below
// 20 would be taken as applied by catalogs from before per-version tracking): prediction sets per run and split, one row
// per well (top class, assignment, site disagreement) and its top-k classes. Applied by openCatalog
// from the one ordered list in catalog/migrations.ts.
import type { Migration } from '../../catalog/migrations';

export const learnMigrations: Migration[] = [
  {
    version: 10,
    name: 'learn-predictions',
    sql: `
      CREATE TABLE learn_prediction_sets (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        run_dir TEXT NOT NULL,
        split TEXT NOT NULL CHECK (split IN ('val', 'test')),
        created_at TEXT NOT NULL,
        tta INTEGER NOT NULL,
        assigned INTEGER NOT NULL,
        wells INTEGER NOT NULL,
        accuracy REAL,
        accuracy_assigned REAL,
        UNIQUE (run_id, split)
      );
      CREATE TABLE learn_well_predictions (
        set_id INTEGER NOT NULL REFERENCES learn_prediction_sets(id) ON DELETE CASCADE,
        id_code TEXT NOT NULL,
        experiment TEXT NOT NULL,
        plate INTEGER NOT NULL,
        well TEXT NOT NULL,
        cell_type TEXT NOT NULL,
        well_type TEXT NOT NULL,
        truth TEXT,
        top TEXT NOT NULL,
        prob REAL NOT NULL,
        assigned TEXT,
        sites INTEGER NOT NULL,
        sites_disagree INTEGER NOT NULL,
        PRIMARY KEY (set_id, id_code)
      );
      CREATE INDEX learn_well_predictions_by_code ON learn_well_predictions (id_code);
      CREATE TABLE learn_well_topk (
        set_id INTEGER NOT NULL REFERENCES learn_prediction_sets(id) ON DELETE CASCADE,
        id_code TEXT NOT NULL,
        rank INTEGER NOT NULL,
        label TEXT NOT NULL,
        prob REAL NOT NULL,
        PRIMARY KEY (set_id, id_code, rank)
      );
    `,
  },
  {
    version: 11,
    name: 'learn-prediction-provenance',
    sql: `
      -- Where a stored set came from (NULL in sets stored before 2026-11-30: unknown): the dataset
      -- (catalog/dataset-identity.ts), the catalog file, the checkpoint and the run's status.
      ALTER TABLE learn_prediction_sets ADD COLUMN dataset_id TEXT;
      ALTER TABLE learn_prediction_sets ADD COLUMN dataset_digest TEXT;
      ALTER TABLE learn_prediction_sets ADD COLUMN dataset_name TEXT;
      ALTER TABLE learn_prediction_sets ADD COLUMN catalog TEXT;
      ALTER TABLE learn_prediction_sets ADD COLUMN checkpoint_path TEXT;
      ALTER TABLE learn_prediction_sets ADD COLUMN checkpoint_epoch INTEGER;
      ALTER TABLE learn_prediction_sets ADD COLUMN checkpoint_sha256 TEXT;
      ALTER TABLE learn_prediction_sets ADD COLUMN run_status TEXT;
    `,
  },
  {
    version: 40,
    name: 'learn-assigned-probability',
    sql: `
      -- The probability of the class plate-group assignment chose (NULL when not assigned), so the
      -- confidence shown next to an assigned class is that class's, not the arg-max's. Sets stored
      -- before get it from their top-k where the assigned class is among it (else it stays NULL).
      ALTER TABLE learn_well_predictions ADD COLUMN assigned_prob REAL;
      UPDATE learn_well_predictions AS w SET assigned_prob = (
        SELECT t.prob FROM learn_well_topk t
         WHERE t.set_id = w.set_id AND t.id_code = w.id_code AND t.label = w.assigned
      ) WHERE w.assigned IS NOT NULL;
    `,
  },
  {
    version: 41,
    name: 'learn-scored-wells',
    sql: `
      -- Whether a well's truth is one of the set's classes (learn/data/classes.ts isScorable): a
      -- well of a class the run was not trained on is neither right nor wrong. Sets stored before
      -- were made by runs trained on every class, so their wells were scorable (1).
      ALTER TABLE learn_well_predictions ADD COLUMN scored INTEGER NOT NULL DEFAULT 1;
    `,
  },
];
