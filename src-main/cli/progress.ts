// A progress bar on stderr for long CLI work (cli-progress). Silent when stderr is not a terminal,
// so logs, pipes and tests stay clean; the callback fits core `onProgress(done, total, message)`.
import cliProgress from 'cli-progress';

export interface CliProgress {
  update(done: number, total: number, message: string): void;
  stop(): void;
}

export function createProgress(
  label: string,
  enabled = Boolean(process.stderr.isTTY),
): CliProgress {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {message}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, message) {
      const t = Math.max(total, 1);
      if (!started) {
        bar.start(t, done, { message });
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(done, { message });
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
