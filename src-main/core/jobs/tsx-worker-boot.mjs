// Source-mode boot of a worker thread (entries.ts `startWorker`): registers tsx, then loads the
// TypeScript entry named by the last argv. Built bundles start their .js entries without it.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';

register();
await import(pathToFileURL(process.argv.at(-1)).href);
