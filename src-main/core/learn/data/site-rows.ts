// The learner's view of the catalog's sites: a thin adapter over catalog/queries.ts (the one owner
// of the site query, its row type and the rule for a complete site). No SQL here.
import type { Catalog } from '../../catalog/db';
import { listSites, type SiteRow } from '../../catalog/queries';

export { datasetRoot, type SiteRow } from '../../catalog/queries';

/** All sites of the catalog (optionally one split), ordered by experiment, plate, well, site. */
export function loadSiteRows(db: Catalog, split?: 'train' | 'test'): SiteRow[] {
  return listSites(db, split ? { split } : {});
}
