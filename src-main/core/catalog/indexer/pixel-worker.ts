// Entry of the pixel_stats.csv worker thread (entries.ts 'pixel-worker', run by pixel-sync.ts):
// parses the file named in workerData and posts the columns back, their arrays transferred.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Papa from 'papaparse';
import { parsePixelStatsCore } from '../../dataset/metadata';

const port = parentPort;
if (!port) throw new Error('pixel-worker must run in a worker thread');
const { file, name } = workerData as { file: string; name: string };
const r = parsePixelStatsCore(fs, Papa.parse, file, name);
const c = r.columns;
const transfer = c
  ? [c.experiment.buffer, c.well.buffer, ...Object.values(c.values).map((v) => v.buffer)]
  : [];
port.postMessage(r, transfer as ArrayBuffer[]);
