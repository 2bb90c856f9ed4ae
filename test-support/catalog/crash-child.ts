// Test support for crash.test.ts (not a test): runs indexDataset in its own process and prints
// each plate's progress, so the parent can SIGKILL it mid-run. Usage: crash-child.ts ROOT DB
import { indexDataset } from '../../src-main/core/catalog/indexer';

const [root, dbFile] = process.argv.slice(2);
await indexDataset({
  root: root!,
  dbFile: dbFile!,
  onProgress: (done, total) => process.stdout.write(`progress ${done}/${total}\n`),
});
process.stdout.write('finished\n');
