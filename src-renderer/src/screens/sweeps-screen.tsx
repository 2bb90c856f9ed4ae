// Sweeps screen: the sweep builder (base settings, grid rows key=values, seeds, k folds by
// experiment, the planned run count live from sweeps.plan), "Run on: this machine / Slurm cluster"
// with the Slurm fields (remembered per dataset) and the batch script shown before submitting, and
// the sweep table (runs grouped by sweep, their state incl. Slurm's, metrics, CV mean ± sd).
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  NumberInput,
  Paper,
  ScrollArea,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue, useSessionStorage } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { CallInput, SlurmResources, SweepSummary } from '../../../src-shared/contract';
import { Choice } from '../components/choice';
import { JobAction } from '../components/job-action';
import { TrainDraftForm, useTrainDraft } from '../components/train-draft';
import { percent } from '../lib/format';
import { useApi, useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { useJobs } from '../state/jobs-context';

const NO_SLURM: SlurmResources = {
  partition: null,
  account: null,
  time: null,
  gpus: 0,
  cpus: 1,
  mem: null,
};

/** The Slurm fields of the form: text ones (empty = Slurm's default) and counts with their minimum. */
const TEXT_FIELDS = [
  ['partition', 'Partition', "cluster's default"],
  ['account', 'Account', "cluster's default"],
  ['time', 'Time limit', "partition's default (e.g. 4:00:00)"],
] as const;
const COUNT_FIELDS = [
  ['gpus', 'GPUs per task', 0],
  ['cpus', 'CPUs per task', 1],
] as const;

/** 'learningRate=0.01,0.03' → a grid axis; null when there is no key=values. */
function parseRow(text: string): { key: string; values: string[] } | null {
  const eq = text.indexOf('=');
  if (eq <= 0) return null;
  return {
    key: text.slice(0, eq).trim(),
    values: text
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim()),
  };
}

function defaultName(): string {
  return `sweep-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
}

/** One field of the sweep form, kept in this tab's sessionStorage (key platelab.sweep.<field>). */
function useSweepField<T>(field: string, defaultValue: T) {
  return useSessionStorage<T>({
    key: `platelab.sweep.${field}`,
    defaultValue,
    getInitialValueInEffect: false,
    sync: false,
  });
}

export function SweepsScreen() {
  const call = useCaller();
  const { client } = useApi();
  const { catalogVersion } = useAppState();
  const { jobs, byId } = useJobs();
  const td = useTrainDraft('sweeps');
  const { draft, config, errors } = td;

  // The sweep's own fields live in this tab's sessionStorage like the settings draft: leaving the
  // screen (to check a plate) or reloading keeps them.
  const [name, setName] = useSweepField('name', defaultName());
  const [rows, setRows] = useSweepField<string[]>('rows', ['']);
  const [seeds, setSeeds] = useSweepField('seeds', 1);
  const [folds, setFolds] = useSweepField('folds', 0);
  const [scheduler, setScheduler] = useSweepField<'local' | 'slurm'>('scheduler', 'local');
  const remembered = useCall('sweeps.clusterDefaults', {}, String(catalogVersion));
  const [slurmEdit, setSlurm] = useSweepField<SlurmResources | null>('slurm', null);
  const slurm = slurmEdit ?? remembered.data ?? NO_SLURM;
  const setField = <K extends keyof SlurmResources>(k: K, v: SlurmResources[K]) =>
    setSlurm({ ...slurm, [k]: v });

  const grid = rows.filter((r) => r.trim() !== '').map(parseRow);
  const badRow = grid.some((g) => g === null);
  const spec: CallInput<'sweeps.plan'> | null =
    config && !badRow
      ? {
          base: config,
          grid: grid as Array<{ key: string; values: string[] }>,
          seeds,
          folds: folds >= 2 ? folds : null,
          name: name || undefined,
          ...(scheduler === 'slurm' ? { slurm } : {}),
        }
      : null;
  const [debounced] = useDebouncedValue(spec, 300);
  const debouncedKey = JSON.stringify(debounced);
  const [plan, setPlan] = useState<{
    key: string;
    count: number | null;
    names: string[];
    script: string | null;
    error: string | null;
  } | null>(null);
  useEffect(() => {
    if (!debounced) return;
    let live = true;
    void client.call('sweeps.plan', debounced).then((r) => {
      if (!live) return;
      setPlan(
        r.ok
          ? {
              key: debouncedKey,
              count: r.data.count,
              names: r.data.runs.map((x) => x.name),
              script: r.data.script,
              error: null,
            }
          : { key: debouncedKey, count: null, names: [], script: null, error: r.error.message },
      );
    });
    return () => {
      live = false;
    };
    // debouncedKey stands for debounced's content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, debouncedKey]);
  const current = plan && plan.key === JSON.stringify(spec) ? plan : null;

  const [jobId, setJobId] = useState<string | null>(null);
  const job = byId(jobId);
  const [submitting, setSubmitting] = useState(false);
  const submit = async () => {
    if (!spec) return;
    setSubmitting(true);
    const res = await call('sweeps.submit', {
      ...spec,
      name,
      scheduler,
      ...(scheduler === 'slurm' ? { slurm } : {}),
    });
    setSubmitting(false);
    if (!res) return;
    setJobId(res.jobId);
    setName(defaultName());
    sweeps.reload();
  };

  const trainKey = jobs
    .filter((j) => j.kind === 'train')
    .map((j) => `${j.id}:${j.status}:${Math.round(j.progress * 20)}`)
    .join(',');
  const sweeps = useCall('sweeps.list', {}, `${trainKey}|${catalogVersion}`);
  // Slurm runs change state without a local job: ask again every 10 s while any is queued or running.
  const waiting = (sweeps.data ?? []).some((s) =>
    s.runs.some((r) => r.state === 'queued' || r.state === 'running'),
  );
  const reloadSweeps = sweeps.reload;
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(reloadSweeps, 10_000);
    return () => clearInterval(t);
  }, [waiting, reloadSweeps]);

  return (
    <Stack gap="md" data-testid="screen-sweeps">
      <Group align="start" gap="md" wrap="nowrap">
        <Paper withBorder p="sm" style={{ flex: 1, minWidth: 0 }}>
          <Title order={4} mb="xs">
            Base settings
          </Title>
          <TrainDraftForm td={td} />
        </Paper>
        <Paper withBorder p="sm" style={{ flex: 1, minWidth: 0 }}>
          <Title order={4} mb="xs">
            Sweep
          </Title>
          <Stack gap="xs">
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid="sweep-name"
            />
            <Text size="sm" fw={500}>
              Grid (one setting per row: key=value1,value2)
            </Text>
            {rows.map((r, i) => (
              <Group key={i} gap="xs" wrap="nowrap">
                <TextInput
                  style={{ flex: 1 }}
                  placeholder="learningRate=0.01,0.03"
                  value={r}
                  error={r.trim() && !parseRow(r) ? 'expected key=value1,value2' : undefined}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    setRows((rs) => rs.map((x, j) => (j === i ? v : x)));
                  }}
                  data-testid="sweep-grid-row"
                />
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                  disabled={rows.length === 1}
                >
                  Remove
                </Button>
              </Group>
            ))}
            <Button
              size="xs"
              variant="light"
              onClick={() => setRows((rs) => [...rs, ''])}
              data-testid="sweep-grid-add"
            >
              Add grid row
            </Button>
            <Group grow>
              <Count
                label="Seeds per grid point"
                min={1}
                value={seeds}
                set={setSeeds}
                id="sweep-seeds"
              />
              <Count
                label="Folds by experiment (0 = no CV)"
                min={0}
                value={folds}
                set={setFolds}
                id="sweep-folds"
              />
            </Group>
            <Choice
              label="Run on"
              options={[
                { value: 'local', label: 'This machine' },
                { value: 'slurm', label: 'Slurm cluster' },
              ]}
              value={scheduler}
              onChange={setScheduler}
              testId="sweep-scheduler"
            />
            {scheduler === 'slurm' && (
              <Group grow data-testid="sweep-slurm-fields">
                {TEXT_FIELDS.map(([k, label, hint]) => (
                  <TextInput
                    key={k}
                    label={label}
                    placeholder={hint}
                    value={slurm[k] ?? ''}
                    onChange={(e) => setField(k, e.currentTarget.value || null)}
                    data-testid={`slurm-${k}`}
                  />
                ))}
                {COUNT_FIELDS.map(([k, label, min]) => (
                  <Count
                    key={k}
                    label={label}
                    min={min}
                    value={slurm[k]}
                    set={(v) => setField(k, v)}
                    id={`slurm-${k}`}
                  />
                ))}
              </Group>
            )}
            {!config && draft && (
              <Text size="sm" c="red">
                {Object.keys(errors).length} base setting(s) need fixing.
              </Text>
            )}
            {current?.error && (
              <Alert color="red" p="xs" data-testid="sweep-plan-error">
                {current.error}
              </Alert>
            )}
            <Group justify="space-between">
              <Text size="sm" data-testid="sweep-count" data-count={current?.count ?? ''}>
                {current?.count != null ? `${current.count} run(s) planned` : 'planning…'}
              </Text>
            </Group>
            <Group justify="flex-end">
              <JobAction
                job={job}
                onClick={() => void submit()}
                disabled={!current || current.count === null}
                loading={submitting}
                testId="sweep-submit"
                jobTestId="sweep-job"
              >
                Submit sweep
              </JobAction>
            </Group>
            {current && current.names.length > 0 && (
              <Text size="xs" c="dimmed" data-testid="sweep-planned-runs">
                {current.names.join(' · ')}
              </Text>
            )}
            {scheduler === 'slurm' && current?.script && (
              <ScrollArea.Autosize mah={260}>
                <Code block data-testid="sweep-script">
                  {current.script}
                </Code>
              </ScrollArea.Autosize>
            )}
          </Stack>
        </Paper>
      </Group>
      <Paper withBorder p="sm">
        <Title order={4} mb="xs">
          Sweeps
        </Title>
        {sweeps.data?.length === 0 && <Text c="dimmed">No sweeps yet.</Text>}
        <Stack gap="md">
          {(sweeps.data ?? []).map((s) => (
            <SweepTable key={s.name} sweep={s} onChanged={() => sweeps.reload()} />
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}

/** A whole-number field; an emptied field counts as its minimum. */
function Count(p: {
  label: string;
  min: number;
  value: number;
  set: (v: number) => void;
  id: string;
}) {
  return (
    <NumberInput
      label={p.label}
      min={p.min}
      value={p.value}
      onChange={(v) => p.set(typeof v === 'number' ? v : p.min)}
      data-testid={p.id}
    />
  );
}

const STATE_COLOR: Record<SweepSummary['runs'][number]['state'], string> = {
  planned: 'gray',
  queued: 'grape',
  running: 'blue',
  done: 'green',
  failed: 'red',
  cancelled: 'yellow',
  preempted: 'orange',
  timeout: 'orange',
  lost: 'red',
  unknown: 'gray',
};

function SweepTable({ sweep, onChanged }: { sweep: SweepSummary; onChanged: () => void }) {
  const call = useCaller();
  const active = sweep.runs.some((r) => r.state === 'queued' || r.state === 'running');
  const cancel = async () => {
    if (await call('sweeps.cancel', { name: sweep.name })) onChanged();
  };
  return (
    <Stack gap={4} data-testid="sweep" data-sweep={sweep.name}>
      <Group justify="space-between">
        <Text fw={600}>
          {sweep.name}{' '}
          <Text span size="sm" c="dimmed">
            {sweep.scheduler ?? 'not submitted'} · {sweep.runs.length} run(s) · {sweep.sweepDir}
          </Text>
        </Text>
        <Button size="xs" variant="default" disabled={!active} onClick={() => void cancel()}>
          Cancel
        </Button>
      </Group>
      {sweep.error && (
        <Alert color="orange" p="xs">
          {sweep.error}
        </Alert>
      )}
      <Table striped withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Run</Table.Th>
            <Table.Th>Settings</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Epochs</Table.Th>
            <Table.Th>Best val</Table.Th>
            <Table.Th>Last val</Table.Th>
            <Table.Th>Slurm task</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sweep.runs.map((r) => (
            <Table.Tr key={r.name} data-testid="sweep-run" data-state={r.state}>
              <Table.Td>{r.index}</Table.Td>
              <Table.Td style={{ fontFamily: 'monospace', fontSize: 12 }}>{r.name}</Table.Td>
              <Table.Td>
                <Text size="xs">
                  {[
                    ...Object.entries(r.settings).map(([k, v]) => `${k}=${v}`),
                    `seed ${r.seed}`,
                    ...(r.fold !== null ? [`fold ${r.fold + 1}`] : []),
                  ].join(' · ')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Tooltip label={r.detail} multiline w={360}>
                  <Badge size="sm" color={STATE_COLOR[r.state]}>
                    {r.state}
                  </Badge>
                </Tooltip>
              </Table.Td>
              <Table.Td>
                {r.epochsDone}/{r.epochs ?? '?'}
              </Table.Td>
              <Table.Td>{percent(r.bestValAccuracy)}</Table.Td>
              <Table.Td>{percent(r.lastValAccuracy)}</Table.Td>
              <Table.Td>{r.slurmTask ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {sweep.crossValidation.map((g) => (
        <Text key={g.label} size="sm" data-testid="sweep-cv">
          Cross-validation {g.label}:{' '}
          {g.folds.map((f) => `fold ${f.fold} ${percent(f.accuracy)}`).join(', ')}; mean{' '}
          {percent(g.mean)}
          {g.sd !== null ? ` ± ${(g.sd * 100).toFixed(1)} (sd over ${g.folds.length} folds)` : ''}
        </Text>
      ))}
    </Stack>
  );
}
