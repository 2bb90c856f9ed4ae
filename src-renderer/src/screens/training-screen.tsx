// Training screen: the settings form (defaults from training.defaults, validation in plain words as
// you type, server warnings and counts from training.validate, Start refused with its reason),
// start/cancel/resume, live curves from training:metrics events (runs.metrics on reload), images/s,
// a live ETA from step progress, and the runs table with live epoch counts.
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  ScrollArea,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { describeCoverage } from '../../../src-shared/class-coverage';
import type { CallOutput, RunSummary } from '../../../src-shared/contract';
import { MetricsCharts, type Metrics } from '../components/metrics-charts';
import { type Draft } from '../components/train-form';
import { TrainDraftForm, useTrainDraft } from '../components/train-draft';
import { etaFromProgress, type ProgressSample } from '../lib/eta';
import { addMetricsEvent, withLiveRun, type LiveRun } from '../lib/live-runs';
import { formatDuration, percent } from '../lib/format';
import { startBlocker } from '../lib/train-validation';
import { useApi, useCall, useCaller, useEvent } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { isActive, useJobs } from '../state/jobs-context';

type StepMetric = NonNullable<CallOutput<'runs.metrics'>['steps'][number]>;

export function TrainingScreen({ backend }: { backend: string | null }) {
  const call = useCaller();
  const { client } = useApi();
  const { runId, setRunId, catalogVersion } = useAppState();
  const { jobs } = useJobs();
  const td = useTrainDraft('training');
  const { defaults, draft, setDraft, config, errors, hints } = td;
  // training.validate's answer for one config (an answer for an older draft never counts).
  const [checkFor, setCheck] = useState<{
    config: unknown;
    data: CallOutput<'training.validate'> | null;
  } | null>(null);
  const [starting, setStarting] = useState(false);

  const [debouncedConfig] = useDebouncedValue(config, 300);
  // The newest answer (any draft): the review exclusion count does not wait for the draft to settle.
  const lastCheck = checkFor?.data ?? null;

  useEffect(() => {
    if (!debouncedConfig) return;
    let live = true;
    void client.call('training.validate', { config: debouncedConfig }).then((r) => {
      if (live) setCheck({ config: debouncedConfig, data: r.ok ? r.data : null });
    });
    return () => {
      live = false;
    };
    // A catalog change (a review decision) changes the counts: check again.
  }, [client, debouncedConfig, catalogVersion]);

  const trainJobs = jobs.filter((j) => j.kind === 'train');
  const runsKey = trainJobs.map((j) => `${j.id}:${j.status}`).join(',');
  // The open dataset's runs: reloaded when another dataset is opened (a catalog change).
  const runs = useCall('runs.list', {}, `${runsKey}|${catalogVersion}`);
  // Epoch ends change a run's row (epochs done, best score, status after a resume): the events
  // update it at once, and a reload brings the rest.
  const lastReload = useRef(0);
  const [live, setLive] = useState<Record<string, LiveRun>>({});
  const runList = useMemo(
    () => (runs.data ?? []).map((r) => withLiveRun(r, live[r.runId], runs.data)),
    [runs.data, live],
  );
  useEvent('training:metrics', (p) => {
    setLive((m) => ({ ...m, [p.runId]: addMetricsEvent(m[p.runId], p, runs.data) }));
    const row = runList.find((r) => r.runId === p.runId);
    const stale = p.epoch || !row || row.status !== 'running';
    // At most one reload a second: tiny runs emit many steps per second.
    if (stale && Date.now() - lastReload.current > 1000) {
      lastReload.current = Date.now();
      runs.reload();
    }
  });
  // With no run picked, follow the one that is running (e.g. started before a reload).
  const shownRunId = runId ?? runList.find((r) => r.status === 'running')?.runId ?? null;
  const current = runList.find((r) => r.runId === shownRunId) ?? null;
  const activeJob = trainJobs.find(isActive);

  // Start needs a checked config with something to learn (training.validate's counts).
  const check = checkFor && checkFor.config === config ? checkFor.data : null;
  const checked = config !== null && check !== null;
  const blocker = config && check ? startBlocker(check, config) : null;

  const start = async () => {
    if (!config || blocker) return;
    setStarting(true);
    const res = await call('training.start', { config });
    setStarting(false);
    if (res) setRunId(res.runId);
  };

  return (
    <Stack gap="md" data-testid="screen-training">
      <Group align="start" gap="md" wrap="nowrap">
        <Paper withBorder p="sm" style={{ flex: 1 }}>
          <Group justify="space-between" mb="xs">
            <Title order={4}>Training settings</Title>
            <Group gap="xs">
              <Badge color="teal" data-testid="training-backend">
                compute: {backend ?? '…'}
              </Badge>
              <Button
                size="xs"
                variant="default"
                onClick={() => defaults.data && setDraft(defaults.data as unknown as Draft)}
                data-testid="train-defaults"
              >
                Defaults
              </Button>
            </Group>
          </Group>
          <TrainDraftForm
            td={td}
            reviewExcluded={lastCheck?.reviewExcluded ?? null}
            classCoverage={lastCheck?.classCoverage ?? null}
          />
          <Group mt="sm" justify="space-between">
            <Group gap="xs" data-testid="train-check">
              {!config && draft && (
                <Text size="sm" c="red" data-testid="train-invalid">
                  {Object.keys(errors).length} setting(s) need fixing.
                </Text>
              )}
              {config && check && debouncedConfig && (
                <Text size="sm" c="dimmed" data-testid="train-counts">
                  {check.trainWells} training wells · {check.valWells} validation wells ·{' '}
                  {check.classes} classes
                </Text>
              )}
            </Group>
            <Button
              onClick={() => void start()}
              disabled={!config || !checked || blocker !== null}
              loading={starting}
              title={blocker ?? undefined}
              data-testid="train-start"
            >
              Start training
            </Button>
          </Group>
          {blocker && (
            <Alert color="red" mt="xs" p="xs" data-testid="train-blocked">
              {blocker}
            </Alert>
          )}
          {config &&
            hints.map((h) => (
              <Alert key={h} color="blue" mt="xs" p="xs" data-testid="train-hint">
                {h}
              </Alert>
            ))}
          {config &&
            debouncedConfig &&
            check?.warnings.map((w) => (
              <Alert key={w} color="yellow" mt="xs" p="xs" data-testid="train-warning">
                {w}
              </Alert>
            ))}
        </Paper>
      </Group>

      <RunPanel run={current} runId={shownRunId} activeJob={activeJob} />

      <Paper withBorder p="sm">
        <Title order={4} mb="xs">
          Runs
        </Title>
        {runList.length === 0 && <Text c="dimmed">No runs yet.</Text>}
        {runList.length > 0 && (
          <ScrollArea.Autosize mah={300}>
            <Table highlightOnHover data-testid="runs-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Run</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Settings</Table.Th>
                  <Table.Th>Epochs</Table.Th>
                  <Table.Th>Best val acc</Table.Th>
                  <Table.Th>img/s</Table.Th>
                  <Table.Th>Backend</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {runList.map((r) => (
                  <RunRow
                    key={r.runId}
                    run={r}
                    selected={r.runId === shownRunId}
                    onSelect={() => setRunId(r.runId)}
                    live={r.status === 'running' ? (live[r.runId]?.step ?? undefined) : undefined}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        )}
      </Paper>
    </Stack>
  );
}

const STATUS_COLOR: Record<RunSummary['status'], string> = {
  running: 'blue',
  done: 'green',
  failed: 'red',
  cancelled: 'yellow',
  interrupted: 'orange',
};

function RunRow({
  run,
  selected,
  onSelect,
  live,
}: {
  run: RunSummary;
  selected: boolean;
  onSelect: () => void;
  /** The newest step event of a running run. */
  live?: StepMetric;
}) {
  const c = run.config;
  return (
    <Table.Tr
      onClick={onSelect}
      style={{ cursor: 'pointer' }}
      bg={selected ? 'var(--mantine-color-indigo-0)' : undefined}
      data-testid="run-row"
      data-run-id={run.runId}
      data-status={run.status}
    >
      <Table.Td style={{ fontFamily: 'monospace', fontSize: 12 }}>{run.runId}</Table.Td>
      <Table.Td>
        <Badge size="sm" color={STATUS_COLOR[run.status]}>
          {run.status}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="xs">
          {c.arch} · {c.target} · {c.imageSize}/{c.cropSize}px · bs {c.batchSize} · {c.optimizer} lr{' '}
          {c.learningRate} · split {c.split.strategy}
        </Text>
      </Table.Td>
      <Table.Td data-testid="run-epochs">
        {/* An ensemble (learn/predict/ensemble.ts) trains nothing: it combines other runs. */}
        {run.backend === 'ensemble' ? 'ensemble' : `${run.epochsDone}/${c.epochs}`}
        {/* The epoch under way: the newest step's, or the next one when an epoch just ended and
            its successor has sent no step yet (never the epoch already counted as done). */}
        {live && run.status === 'running' && run.epochsDone < c.epochs && (
          <Text span size="xs" c="dimmed">
            {' '}
            · epoch {Math.max(live.epoch, run.epochsDone) + 1} running
          </Text>
        )}
      </Table.Td>
      <Table.Td>{percent(run.bestValAccuracy)}</Table.Td>
      <Table.Td>
        {live
          ? live.imagesPerSecond.toFixed(1)
          : run.imagesPerSecond === null
            ? '—'
            : run.imagesPerSecond.toFixed(1)}
      </Table.Td>
      <Table.Td>{run.backend}</Table.Td>
    </Table.Tr>
  );
}

function RunPanel({
  run,
  runId,
  activeJob,
}: {
  run: RunSummary | null;
  runId: string | null;
  activeJob: ReturnType<typeof useJobs>['jobs'][number] | undefined;
}) {
  const call = useCaller();
  const { client } = useApi();
  const [state, setMetrics] = useState<Metrics & { runId: string | null }>({
    runId: null,
    steps: [],
    epochs: [],
  });
  const metrics: Metrics = state.runId === runId ? state : { steps: [], epochs: [] };

  useEffect(() => {
    if (!runId) return;
    let live = true;
    void client.call('runs.metrics', { runId }).then((r) => {
      if (!live || !r.ok) return;
      // Merge with any events that arrived while loading (keep the longer history per series).
      setMetrics((m) => {
        const cur = m.runId === runId ? m : { steps: [], epochs: [] };
        return {
          runId,
          steps: r.data.steps.length >= cur.steps.length ? r.data.steps : cur.steps,
          epochs: r.data.epochs.length >= cur.epochs.length ? r.data.epochs : cur.epochs,
        };
      });
    });
    return () => {
      live = false;
    };
  }, [client, runId]);

  // Progress samples of the active job: the first seen and the newest give a live ETA.
  const [samples, setSamples] = useState<{
    jobId: string;
    first: ProgressSample;
    last: ProgressSample;
  } | null>(null);
  const jobId = activeJob && isActive(activeJob) ? activeJob.id : null;
  useEvent('job:update', (job) => {
    if (job.kind !== 'train' || !isActive(job)) return;
    const now = { t: Date.now(), p: job.progress };
    setSamples((cur) =>
      cur && cur.jobId === job.id
        ? { ...cur, last: now }
        : { jobId: job.id, first: now, last: now },
    );
  });

  useEvent('training:metrics', (p) => {
    if (p.runId !== runId) return;
    setMetrics((prev) => {
      const m = prev.runId === p.runId ? prev : { steps: [], epochs: [] };
      return {
        runId: p.runId,
        steps: p.step ? [...m.steps.filter((s) => s.step !== p.step?.step), p.step] : m.steps,
        epochs: p.epoch
          ? [...m.epochs.filter((e) => e.epoch !== p.epoch?.epoch), p.epoch]
          : m.epochs,
      };
    });
  });

  if (!runId) {
    return (
      <Paper withBorder p="sm">
        <Text c="dimmed">Start a run or pick one below to see its curves.</Text>
      </Paper>
    );
  }
  const lastStep = metrics.steps.at(-1);
  const lastEpoch = metrics.epochs.at(-1);
  const running = run?.status === 'running' || activeJob !== undefined;
  const liveEta =
    running && samples && samples.jobId === jobId
      ? etaFromProgress(samples.first, samples.last)
      : null;
  const eta = running ? (liveEta ?? lastEpoch?.etaSeconds) : null;
  const canResume =
    run && (run.status === 'cancelled' || run.status === 'interrupted' || run.status === 'failed');
  return (
    <Paper withBorder p="sm" data-testid="run-panel" data-run-id={runId}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={5} style={{ fontFamily: 'monospace' }}>
            {runId}
          </Title>
          {run && (
            <Badge color={STATUS_COLOR[run.status]} data-testid="run-status">
              {run.status}
            </Badge>
          )}
          <Text size="sm" data-testid="run-speed">
            {lastStep ? `${lastStep.imagesPerSecond.toFixed(1)} images/s` : ''}
          </Text>
          <Text size="sm" c="dimmed" data-testid="run-eta">
            {running ? `ETA ${formatDuration(eta)}` : ''}
          </Text>
          {run?.reviewExcluded != null && (
            <Text size="sm" c="dimmed" data-testid="run-review-excluded">
              {run.reviewExcluded} well{run.reviewExcluded === 1 ? '' : 's'} excluded by review
            </Text>
          )}
          {describeCoverage(run?.classCoverage) && (
            <Text size="sm" c="dimmed" data-testid="run-class-coverage">
              {describeCoverage(run?.classCoverage)}
            </Text>
          )}
        </Group>
        <Group gap="xs">
          <Button
            size="xs"
            color="red"
            variant="light"
            disabled={!running}
            onClick={() => void call('training.cancel', { runId })}
            data-testid="train-cancel"
          >
            Cancel
          </Button>
          <Button
            size="xs"
            variant="light"
            disabled={!canResume}
            onClick={() => void call('training.resume', { runId })}
            data-testid="train-resume"
          >
            Resume
          </Button>
        </Group>
      </Group>
      {activeJob && isActive(activeJob) && (
        <Stack gap={2} mb="xs">
          <Progress value={activeJob.progress * 100} animated data-testid="train-progress" />
          <Text size="xs" c="dimmed">
            {activeJob.message}
          </Text>
        </Stack>
      )}
      {run && run.warnings.length > 0 && (
        <Alert color="yellow" p="xs" mb="xs">
          {run.warnings.join(' ')}
        </Alert>
      )}
      <MetricsCharts metrics={metrics} />
    </Paper>
  );
}
