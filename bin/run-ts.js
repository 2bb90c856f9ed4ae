#!/usr/bin/env node
// Runs one TypeScript entry file (benchmarks, scripts) through tsx: `node bin/run-ts.js FILE [args]`.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-ts.js FILE [args...]');
  process.exit(1);
}
process.argv = [process.argv[0], path.resolve(file), ...rest];
register();
await import(pathToFileURL(path.resolve(file)).href);
