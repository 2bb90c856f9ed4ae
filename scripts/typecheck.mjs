// Typechecks the node side (core, shells, preload, tests) and the web side (renderer).
// The Electron shell needs electron's own type definitions; where the electron package could not
// install (no binary download possible), that part is reported as skipped, never silently passed.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, rmSync } from 'node:fs';

const tsc = 'node_modules/typescript/bin/tsc';
const run = (project) =>
  spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' }).status;

let nodeProject = 'tsconfig.node.json';
const tmp = 'tsconfig.node-no-electron.json';
if (!existsSync('node_modules/electron/electron.d.ts')) {
  console.log(
    'typecheck: SKIPPED src-main/electron and src-preload (the electron package is not installed here)',
  );
  writeFileSync(
    tmp,
    JSON.stringify({
      extends: './tsconfig.node.json',
      exclude: ['src-main/electron/**', 'src-preload/**', 'electron.vite.config.ts'],
    }),
  );
  nodeProject = tmp;
}
let status = 0;
try {
  status = run(nodeProject) || run('tsconfig.web.json');
} finally {
  if (nodeProject === tmp) rmSync(tmp, { force: true });
}
if (status === 0) console.log('typecheck: ok');
process.exit(status);
