// The headline counts of a catalog, shared by the indexer's result and datasetSummary so both
// always agree: experiments/plates with images on disk, wells from metadata or images, sites and
// images on disk, problems as the exact number of items (summarised entries count what they stand for).
import type { Catalog } from './db';

export interface CatalogCounts {
  experiments: number;
  plates: number;
  wells: number;
  sites: number;
  images: number;
  problems: number;
}

export function catalogCounts(db: Catalog): CatalogCounts {
  const one = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  return {
    experiments: one(
      `SELECT COUNT(DISTINCT p.experiment_id) AS n FROM plates p
       WHERE EXISTS (SELECT 1 FROM wells w WHERE w.plate_id = p.id AND w.has_images = 1)`,
    ),
    plates: one(
      `SELECT COUNT(*) AS n FROM plates p
       WHERE EXISTS (SELECT 1 FROM wells w WHERE w.plate_id = p.id AND w.has_images = 1)`,
    ),
    wells: one('SELECT COUNT(*) AS n FROM wells'),
    sites: one('SELECT COUNT(*) AS n FROM sites'),
    images: one('SELECT COUNT(*) AS n FROM images'),
    problems: one('SELECT SUM(count) AS n FROM problems'),
  };
}
