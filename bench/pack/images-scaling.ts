// The decode-scaling bench pack (`npm run bench:pack -- images-scaling [--sample DIR]`): bench.mjs
// (bench/images-scaling.ts) + pipeline-worker.js (the pipeline's decode worker) as plain JS, sharp and
// its libvips, this machine's node (node.xz), the real RxRx1 sample PNGs when given, and run.sh.
import fs from 'node:fs';
import path from 'node:path';
import {
  buildPackWith,
  bundleEsm,
  copyPackages,
  installRunScript,
  packDir,
  packNode,
  repoRoot,
  writeManifest,
  type PackBaseOptions,
  type PackDefinition,
  type PackResult,
} from './core';

export interface ImagesScalingPackOptions extends PackBaseOptions {
  /** An RxRx1 dataset root whose train/ and test/ PNG trees go into rxrx1/ (the real-data rows). */
  sampleDir?: string;
}

/**
 * outDir (default dist/images-scaling)/{run.sh, node.xz, MANIFEST.json, pack/{bench.mjs,
 * pipeline-worker.js, package.json, node_modules/{sharp,…}}, rxrx1/{train,test}}; run.sh uses a node ≥ 20 on PATH,
 * else the packed one.
 */
export const imagesScalingPack: PackDefinition<ImagesScalingPackOptions> = {
  name: 'images-scaling',
  defaultOutDir: path.join(repoRoot, 'dist/images-scaling'),
  async fill(ctx, opts) {
    const sample = opts.sampleDir;
    const splits = ['train', 'test'].filter((s) => sample && fs.existsSync(path.join(sample, s)));
    if (sample && splits.length === 0)
      throw new Error(`images-scaling pack: --sample ${sample} has no train/ or test/`);
    const pack = path.join(ctx.outDir, 'pack');
    ctx.log('bundling bench/images-scaling.ts and the pipeline worker…');
    // sharp stays a real package beside the bundles (native binary + libvips). The bench finds the
    // worker as ./pipeline-worker.js beside itself (core/jobs/entries.ts in a bundle); the
    // package.json beside them makes .js files ES modules.
    await bundleEsm('bench/images-scaling.ts', path.join(pack, 'bench.mjs'), ['sharp']);
    await bundleEsm(
      'src-main/core/imaging/pipeline/worker.ts',
      path.join(pack, 'pipeline-worker.js'),
      ['sharp'],
    );
    fs.writeFileSync(path.join(pack, 'package.json'), '{ "type": "module" }\n');
    const packages = copyPackages(['sharp'], path.join(pack, 'node_modules'));
    if (!Object.keys(packages).some((p) => p.startsWith('@img/sharp-libvips-linux-x64')))
      throw new Error(
        `images-scaling pack: sharp's linux-x64 libvips (@img/sharp-libvips-linux-x64) is not installed`,
      );
    for (const s of splits)
      fs.cpSync(path.join(sample!, s), path.join(ctx.outDir, 'rxrx1', s), { recursive: true });
    const node = packNode(ctx, path.join(ctx.outDir, 'node.xz'));
    writeManifest([ctx.outDir], {
      node,
      packages,
      sample: sample ? path.resolve(sample) : null,
      run: 'bash run.sh   (JSON and logs into $OUT, else this folder)',
    });
    installRunScript(path.join(packDir, 'images-scaling-run.sh'), ctx.outDir);
  },
};

/**
 * Builds the decode-scaling pack (default dist/images-scaling, ~25 MiB + the sample). Needs xz.
 * Errors: not on linux-x64, sharp or its linux-x64 libvips not installed, a sample folder without
 * train/ or test/, or a pack over PACK_LIMIT_BYTES.
 */
export function buildImagesScalingPack(opts: ImagesScalingPackOptions = {}): Promise<PackResult> {
  return buildPackWith(imagesScalingPack, opts);
}
