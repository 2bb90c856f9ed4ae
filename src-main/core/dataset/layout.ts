// The RxRx1 file layouts: 2019 `{train|test}/{EXP}/Plate{p}/{WELL}_s{site}_w{ch}.png`, 2020
// `images/{EXP}/Plate{p}/...` (split from metadata.csv) or `images/{train|test}/{EXP}/...`.
// Parsing is strict about structure and lenient about case of the extension (`.PNG`).
import path from 'node:path';
import { CHANNELS, parseWellName } from './plate';

export type Split = 'train' | 'test';

export interface SiteRef {
  split: Split;
  experiment: string;
  plate: number;
  /** Well name as on disk, e.g. 'B02'. */
  well: string;
  site: number;
}

export interface ImageRef extends SiteRef {
  channel: number;
}

export type ParsedPath = { ok: true; image: ImageRef } | { ok: false; reason: string };

const FILE_RE = /^([A-Za-z]\d{1,2})_s(\d+)_w(\d+)\.png$/i;
const PLATE_RE = /^Plate(\d+)$/;

/** The image folders a dataset may keep its plate folders under, as said in messages. */
export const IMAGE_FOLDER_PATTERNS = [
  'train/<EXPERIMENT>/Plate<N>',
  'test/<EXPERIMENT>/Plate<N>',
  'images/<EXPERIMENT>/Plate<N>',
  'images/train/<EXPERIMENT>/Plate<N>',
  'images/test/<EXPERIMENT>/Plate<N>',
] as const;

export type ParsedFileName =
  | { ok: true; well: string; site: number; channel: number }
  | { ok: false; reason: string };

/** Parses an image file name `{WELL}_s{site}_w{channel}.png` (well as written, e.g. 'B2'). */
export function parseImageFileName(file: string): ParsedFileName {
  const fm = FILE_RE.exec(file);
  if (!fm) return { ok: false, reason: `file name "${file}" is not {WELL}_s{site}_w{channel}.png` };
  const pos = parseWellName(fm[1]!);
  if (!pos) return { ok: false, reason: `"${fm[1]}" is not a 384-well plate well` };
  const site = Number(fm[2]);
  const channel = Number(fm[3]);
  if (site < 1) return { ok: false, reason: `site ${site} is not 1 or more` };
  if (channel < 1 || channel > CHANNELS)
    return { ok: false, reason: `channel ${channel} is outside 1..${CHANNELS}` };
  return { ok: true, well: fm[1]!, site, channel };
}

/** Parses a 2019-layout path relative to the dataset root (either separator). */
export function parseImagePath(relPath: string): ParsedPath {
  const parts = relPath.split(/[\\/]+/).filter(Boolean);
  if (parts.length !== 4)
    return {
      ok: false,
      reason: 'expected {train|test}/{EXPERIMENT}/Plate{p}/{WELL}_s{site}_w{channel}.png',
    };
  const [split, experiment, plateDir, file] = parts as [string, string, string, string];
  if (split !== 'train' && split !== 'test')
    return { ok: false, reason: `top folder "${split}" is neither train nor test` };
  const pm = PLATE_RE.exec(plateDir);
  if (!pm) return { ok: false, reason: `plate folder "${plateDir}" is not Plate{number}` };
  const f = parseImageFileName(file);
  if (!f.ok) return f;
  return {
    ok: true,
    image: {
      split,
      experiment,
      plate: Number(pm[1]),
      well: f.well,
      site: f.site,
      channel: f.channel,
    },
  };
}

/** Relative path of one channel image, as RxRx1 names it. */
export function imageRelPath(ref: ImageRef): string {
  return path.join(
    ref.split,
    ref.experiment,
    `Plate${ref.plate}`,
    `${ref.well}_s${ref.site}_w${ref.channel}.png`,
  );
}

/** Relative paths of the 6 channel images of a site, channel 1 first. */
export function siteRelPaths(ref: SiteRef): string[] {
  return Array.from({ length: CHANNELS }, (_, i) => imageRelPath({ ...ref, channel: i + 1 }));
}

/** Stable key of a site, used for caches and joins: `train/HUVEC-01/1/B02/1`. */
export function siteKey(ref: SiteRef): string {
  return `${ref.split}/${ref.experiment}/${ref.plate}/${ref.well}/${ref.site}`;
}
