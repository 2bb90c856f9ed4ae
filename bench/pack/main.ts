// The one bench-pack command: `npm run bench:pack -- gpu|images-scaling [flags]` builds a folder
// that runs that bench on a bare Linux x86-64 machine (no repo, network or Node); prints its sizes.
import { parseArgs } from 'node:util';
import { buildPack as buildGpuPack } from '../gpu/pack';
import type { PackResult } from './core';
import { buildImagesScalingPack } from './images-scaling';

const usage = `usage: npm run bench:pack -- <pack> [--out DIR] [--cache DIR] [--node FILE]
  gpu              WebGPU bench (bench/gpu/.pack; then: bash run.sh --out gpu-bench.json)
                   [--libvulkan-deb FILE]
  images-scaling   decode-scaling bench (dist/images-scaling; then: bash dist/images-scaling/run.sh)
                   [--sample DIR]  an RxRx1 root whose train/ and test/ PNGs go along`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    cache: { type: 'string' },
    node: { type: 'string' },
    'libvulkan-deb': { type: 'string' },
    sample: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const common = { outDir: values.out, cacheDir: values.cache, nodeBinary: values.node };
const packs: Record<string, () => Promise<PackResult>> = {
  gpu: () => buildGpuPack({ ...common, libvulkanDeb: values['libvulkan-deb'] }),
  'images-scaling': () => buildImagesScalingPack({ ...common, sampleDir: values.sample }),
};

const name = positionals[0];
if (values.help) {
  process.stdout.write(`${usage}\n`);
} else if (positionals.length !== 1 || !name || !(name in packs)) {
  process.stderr.write(`bench:pack: name one pack (gpu or images-scaling)\n${usage}\n`);
  process.exitCode = 1;
} else {
  packs[name]!().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
