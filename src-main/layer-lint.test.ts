// The layer rules of eslint.config.js fire: snippets linted with the project's own config at paths
// inside the tree (the files need not exist) must get the import errors, and allowed imports none.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: REPO });

/** The import-restriction messages ESLint reports for `code` placed at `file` (repo-relative). */
async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO, file) });
  return result!.messages
    .filter((m) => /no-restricted-imports$/.test(m.ruleId ?? ''))
    .map((m) => `${m.ruleId}: ${m.message}`);
}

const use = (spec: string, name = 'm') =>
  `import * as ${name} from '${spec}';\nexport const ${name}Keys = Object.keys(${name});\n`;

describe('layer lint', () => {
  it('keeps core/imaging from importing core/learn, at any depth', async () => {
    expect(await importErrors('src-main/core/imaging/x.ts', use('../learn/backend/tf'))).toEqual([
      expect.stringContaining('core/imaging sits below core/learn'),
    ]);
    expect(
      await importErrors('src-main/core/imaging/pipeline/x.test.ts', use('../../learn/runs/list')),
    ).toEqual([expect.stringContaining('core/imaging sits below core/learn')]);
    // imaging keeps core's rules too (the blocks combine, not replace).
    expect(await importErrors('src-main/core/imaging/x.ts', use('electron'))).toEqual([
      expect.stringContaining('Electron belongs in src-main/electron'),
    ]);
  });

  it('keeps core from importing the shells (serve, electron, cli)', async () => {
    for (const [file, spec] of [
      ['src-main/core/api/x.ts', '../../serve/serve-app'],
      ['src-main/core/app/x.test.ts', '../../electron/main'],
      ['src-main/core/learn/predict/x.ts', '../../../cli/main'],
      ['src-main/core/x.ts', '../../src-main/serve/server'],
    ]) {
      expect(await importErrors(file!, use(spec!)), `${file} → ${spec}`).toEqual([
        expect.stringContaining('src-main/core never imports the shells'),
      ]);
    }
  });

  it('keeps product code from importing test-support/, while tests may', async () => {
    const fixture = '../../../test-support/catalog/fixture';
    expect(await importErrors('src-main/core/catalog/x.ts', use(fixture))).toEqual([
      expect.stringContaining('never imports test scaffolding'),
    ]);
    expect(
      await importErrors('src-main/serve/x.ts', use('../../test-support/app/test-app')),
    ).toEqual([expect.stringContaining('never imports test scaffolding')]);
    expect(
      await importErrors('src-renderer/src/x.ts', use('../../test-support/learn/random')),
    ).toEqual([expect.stringContaining('never imports test scaffolding')]);
    // Both rules at once on an imaging product file.
    const both = await importErrors(
      'src-main/core/imaging/x.ts',
      use('../learn/backend/tf') + use('../../../test-support/imaging/fixtures', 'f'),
    );
    expect(both).toHaveLength(2);
    expect(await importErrors('src-main/core/catalog/x.test.ts', use(fixture))).toEqual([]);
  });

  it('allows the imports the layers are built on', async () => {
    expect(await importErrors('src-main/core/learn/x.ts', use('../imaging/load-site'))).toEqual([]);
    expect(await importErrors('src-main/serve/x.ts', use('../core/api/handlers'))).toEqual([]);
    expect(await importErrors('src-main/core/app/x.ts', use('cli-progress'))).toEqual([]);
  });
});
