import { openCatalog } from '../src-main/core/catalog/db';
import { loadSiteRows } from '../src-main/core/learn/data/site-rows';
import { trainingSet } from '../src-main/core/learn/train/run-setup';
import { defaultTrainConfig } from '../src-main/core/learn/config/default-config';
import { describeCoverage } from '../src-shared/class-coverage';
const db = openCatalog('/tmp/demo-new.db', { readonly: true } as never);
const rows = loadSiteRows(db, 'train');
for (const inc of [false, true]) {
  const cfg = { ...defaultTrainConfig(), includeControls: inc };
  const s = trainingSet(rows, cfg, null);
  console.log(inc, s.classes.labels.length, JSON.stringify(s.classes.coverage), s.split.train.length, s.split.val.length);
  try { console.log((describeCoverage as any)(s.classes.coverage)); } catch (e) { console.log(String(e)); }
}
