// Test support for desktop-bundle.test.ts (not a test; plain JS, run by plain Node from the copied
// app folder): drives the bundle's own off-thread entries as the desktop app does, with no tsx and no
// source file: indexes a dataset on the index worker (its scan and pixel-stats workers inside),
// trains through the training child (its pipeline worker inside) and predicts through the prediction
// child, both under parent-port-standin.mjs (Electron's utilityProcess messaging). Usage:
//   node drive-bundle.mjs job.json   → the last stdout line is one JSON object summarising the run.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const main = path.join(job.app, 'out', 'main');
const standin = path.join(job.app, 'parent-port-standin.mjs');

function tsxResolvable() {
  try {
    return createRequire(path.join(job.app, 'package.json')).resolve('tsx');
  } catch {
    return null;
  }
}

/** Runs a task entry on a worker thread over the child-task protocol; resolves with the result. */
function onThread(entry, input) {
  return new Promise((resolve, reject) => {
    const w = new Worker(path.join(main, entry));
    const progress = [];
    let final = null;
    w.on('message', (m) => {
      if (m.type === 'progress') progress.push(m.done);
      else if (m.type === 'result' || m.type === 'error') final = m;
    });
    w.on('error', reject);
    w.on('exit', (code) =>
      final?.type === 'result'
        ? resolve({ value: final.value, progress: progress.length, threadId: final.threadId })
        : reject(new Error(`${entry}: ${JSON.stringify(final?.error ?? { exit: code })}`)),
    );
    w.postMessage({ type: 'start', input });
  });
}

/** Runs a task entry as a utilityProcess stand-in (a fork with process.parentPort). */
function inChild(entry, input) {
  return new Promise((resolve, reject) => {
    const child = fork(standin, [path.join(main, entry)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      execArgv: [],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    const events = [];
    let progress = 0;
    let final = null;
    child.on('message', (m) => {
      const msg = m.viaPort;
      if (!msg) return;
      if (msg.type === 'event') events.push(msg.event.type);
      else if (msg.type === 'progress') progress++;
      else final = msg;
    });
    child.on('exit', (code) =>
      final?.type === 'result'
        ? resolve({ value: final.value, events, progress, pid: final.pid })
        : reject(
            new Error(`${entry}: ${JSON.stringify(final?.error ?? { exit: code })}\n${stderr}`),
          ),
    );
    child.send({ viaPort: { type: 'start', input } });
  });
}

const started = Date.now();
const seconds = () => Math.round((Date.now() - started) / 100) / 10;
const out = { tsx: tsxResolvable(), steps: {} };
const index = await onThread('index-worker.js', {
  root: job.datasetRoot,
  dbFile: job.dbFile,
  threads: 2,
});
out.steps.index = { ...index, seconds: seconds() };
const train = await inChild('training-child.js', {
  dbFile: job.dbFile,
  runDir: job.runDir,
  config: job.config,
});
out.steps.train = { ...train, seconds: seconds() };
const predict = await inChild('predict-child.js', {
  runDir: job.runDir,
  split: 'test',
  dbFile: job.dbFile,
});
out.steps.predict = { ...predict, seconds: seconds() };
console.log(JSON.stringify(out));
