// settings.json in the data folder: the last opened dataset and recent ones. Written atomically;
// a missing or unreadable file falls back to defaults (with a warning) rather than stopping the app.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const Settings = z.object({
  lastDataset: z.string().nullable().default(null),
  recentDatasets: z.array(z.string()).default([]),
});
export type Settings = z.infer<typeof Settings>;

export function readSettings(file: string): Settings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return Settings.parse({});
  }
  try {
    return Settings.parse(JSON.parse(text));
  } catch (err) {
    console.warn(
      `${file}: unreadable settings, using defaults (${err instanceof Error ? err.message : String(err)})`,
    );
    return Settings.parse({});
  }
}

export function writeSettings(file: string, settings: Settings): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(settings, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Records a dataset as the last one opened (most recent first, at most 10 remembered). */
export function withLastDataset(settings: Settings, root: string): Settings {
  const recent = [root, ...settings.recentDatasets.filter((r) => r !== root)].slice(0, 10);
  return { ...settings, lastDataset: root, recentDatasets: recent };
}
