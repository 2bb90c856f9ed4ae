// `platelab composite ROOT/{train|test}/EXP/PlateP/WELL_sS --out file.png`: writes the RxRx1
// colour composite of one site with the default display (optionally fewer visible channels).
import type { Command } from 'commander';
import path from 'node:path';
import { parseImagePath, siteRelPaths } from '../../core/dataset/layout';
import { inputError } from '../../core/errors';
import { rxrx1DefaultDisplay, withVisibleChannels } from '../../core/imaging/display';
import { writeFileAtomic } from '../../core/util/atomic-write';
import { sitePng } from '../../core/imaging/thumbnails';
import { printJsonSummary, runCommand } from '../output';

interface CompositeOptions {
  out: string;
  channels?: string;
  json?: boolean;
}

/** Splits `ROOT/train/EXP/PlateP/WELL_sS` into the dataset root and the site. */
export function parseSiteArg(arg: string) {
  const parts = path.resolve(arg).split(path.sep);
  if (parts.length < 5)
    throw inputError(`${arg}: expected ROOT/{train|test}/EXPERIMENT/Plate{p}/{WELL}_s{site}`);
  const tail = parts.slice(-4);
  const parsed = parseImagePath(`${tail.join('/')}_w1.png`);
  if (!parsed.ok)
    throw inputError(
      `${arg}: ${parsed.reason} (expected ROOT/{train|test}/EXPERIMENT/Plate{p}/{WELL}_s{site})`,
    );
  const { channel: _channel, ...site } = parsed.image;
  return { root: parts.slice(0, -4).join(path.sep) || path.sep, site };
}

export function parseChannels(spec: string | undefined): number[] {
  if (spec === undefined) return [1, 2, 3, 4, 5, 6];
  const list = spec.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((c) => !Number.isInteger(c) || c < 1 || c > 6)) {
    throw inputError(
      `--channels "${spec}": expected a comma-separated list of channels 1..6, e.g. 1,2,3`,
    );
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

export function register(program: Command): void {
  program
    .command('composite')
    .description(
      'Write the RxRx1 colour composite of one site (rxrx1-utils default display) as a PNG.',
    )
    .argument(
      '<site>',
      'ROOT/{train|test}/EXPERIMENT/Plate{p}/{WELL}_s{site}, e.g. data/train/HUVEC-01/Plate1/B02_s1',
    )
    .requiredOption('--out <file>', 'PNG file to write')
    .option('--channels <list>', 'visible channels, e.g. 1,2,3 (default all six)')
    .option('--json', 'print a JSON summary as the last line')
    .action((arg: string, opts: CompositeOptions) =>
      runCommand('composite', async () => {
        const { root, site } = parseSiteArg(arg);
        const channels = parseChannels(opts.channels);
        if (!/\.png$/i.test(opts.out))
          throw inputError(`--out ${opts.out}: the composite is written as PNG (name it *.png)`);
        const display = withVisibleChannels(rxrx1DefaultDisplay(), channels);
        const img = await sitePng({ root, relPaths: siteRelPaths(site), display });
        const out = path.resolve(opts.out);
        await writeFileAtomic(out, img.png);
        if (opts.json)
          printJsonSummary({ out, width: img.width, height: img.height, channels, site, root });
        else
          console.log(`wrote ${out} (${img.width}×${img.height}, channels ${channels.join(',')})`);
      }),
    );
}
