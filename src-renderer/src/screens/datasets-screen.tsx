// Datasets screen: open a folder or the demo dataset, watch generation/indexing progress (also the
// demo started on first launch), see labelled counts per experiment and plate, and browse the
// problems the indexer found.
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useState } from 'react';
import { datasetName } from '../lib/format';
import { useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { isActive, useJobs } from '../state/jobs-context';

export function DatasetsScreen() {
  const call = useCaller();
  const { catalogVersion, bumpCatalog, selectPlate, setScreen } = useAppState();
  const { byId, jobs } = useJobs();
  const [root, setRoot] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  // The job this screen started, else any running dataset job: on first start the app generates
  // and indexes the demo by itself, and that progress belongs here too.
  const job =
    byId(jobId) ?? jobs.find((j) => (j.kind === 'index' || j.kind === 'synth') && isActive(j));
  const busy = isActive(job);
  const summary = useCall('dataset.summary', {}, String(catalogVersion));
  const info = useCall('app.info', {}, String(catalogVersion));
  const openRoot = info.data?.dataset?.root ?? null;
  const recent = (info.data?.recentDatasets ?? []).filter((r) => r !== openRoot);

  // When the index job ends, reload everything that reads the catalog.
  const jobStatus = job?.status;
  useEffect(() => {
    if (jobStatus === 'done') bumpCatalog();
    // bumpCatalog is stable in effect (it only bumps a counter)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobStatus]);

  const open = async (demo: boolean, folder: string = root.trim()) => {
    const res = demo
      ? await call('dataset.openDemo', {})
      : await call('dataset.open', { root: folder });
    if (res) setJobId(res.jobId);
  };

  const s = summary.data;
  const byExperiment = useMemo(() => {
    const m = new Map<string, NonNullable<typeof s>['plates']>();
    for (const p of s?.plates ?? []) m.set(p.experiment, [...(m.get(p.experiment) ?? []), p]);
    return [...m.entries()];
  }, [s]);

  return (
    <Stack gap="md" data-testid="screen-datasets">
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Title order={4}>Open a dataset</Title>
          <Group align="end">
            <TextInput
              label="Dataset folder (RxRx1 layout: train/, test/, CSVs)"
              placeholder="/data/rxrx1"
              value={root}
              onChange={(e) => setRoot(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && root.trim()) void open(false);
              }}
              style={{ flex: 1 }}
              data-testid="dataset-path"
            />
            <Button
              onClick={() => void open(false)}
              disabled={!root.trim() || busy}
              data-testid="dataset-open"
            >
              Open folder
            </Button>
            <Button
              variant="light"
              onClick={() => void open(true)}
              // While a dataset job runs the demo cannot start (one index at a time): the button
              // shows that job instead of answering with an error.
              disabled={busy}
              loading={busy && job?.kind === 'synth'}
              data-testid="dataset-open-demo"
            >
              Open demo dataset
            </Button>
            <Button
              variant="default"
              onClick={() => void call('dataset.reindex', {}).then((r) => r && setJobId(r.jobId))}
              disabled={!s || busy}
              data-testid="dataset-reindex"
            >
              Re-index
            </Button>
          </Group>
          {recent.length > 0 && (
            <Group gap="xs" data-testid="recent-datasets">
              <Text size="sm" c="dimmed">
                Recent:
              </Text>
              {recent.map((r) => (
                <Button
                  key={r}
                  size="compact-sm"
                  variant="subtle"
                  title={r}
                  disabled={busy}
                  onClick={() => void open(false, r)}
                  data-testid="recent-dataset"
                >
                  {datasetName(r)}
                </Button>
              ))}
            </Group>
          )}
          {job && (
            <Stack gap={4} data-testid="index-progress" data-status={job.status}>
              <Group justify="space-between">
                <Text size="sm">{job.title}</Text>
                <Text size="sm" c="dimmed">
                  {Math.round(job.progress * 100)}% · {job.status}
                </Text>
              </Group>
              <Progress value={job.progress * 100} animated={isActive(job)} />
              <Text size="xs" c={job.status === 'failed' ? 'red' : 'dimmed'}>
                {job.error?.message ?? job.message}
              </Text>
            </Stack>
          )}
        </Stack>
      </Paper>

      {summary.error && <Alert color="red">{summary.error.message}</Alert>}
      {!s && !summary.loading && busy && job && (
        <Alert color="indigo" data-testid="dataset-preparing" data-kind={job.kind}>
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              {job.kind === 'synth'
                ? 'Preparing the demo dataset: generating its images, then indexing them. It opens by itself when ready.'
                : `${job.title}: the dataset opens when indexing is done.`}
            </Text>
            <Progress value={job.progress * 100} animated />
            <Text size="xs" c="dimmed" data-testid="dataset-preparing-message">
              {Math.round(job.progress * 100)}% · {job.message}
            </Text>
          </Stack>
        </Alert>
      )}
      {!s && !summary.loading && !busy && (
        <Alert color="blue" data-testid="no-dataset">
          No dataset is open yet. Enter a folder above or open the demo dataset.
        </Alert>
      )}
      {s && (
        <>
          <Paper withBorder p="md">
            <Group justify="space-between" mb="sm">
              <Title order={4}>Dataset</Title>
              <Group gap="xs">
                <Badge variant="light" data-testid="dataset-format">
                  {s.format}
                </Badge>
                <Text size="xs" c="dimmed">
                  {s.indexedAt
                    ? `indexed ${new Date(s.indexedAt).toLocaleString()}`
                    : 'not indexed'}
                </Text>
              </Group>
            </Group>
            <Text size="sm" c="dimmed" mb="sm" data-testid="dataset-root">
              {s.root}
            </Text>
            <SimpleGrid cols={6} data-testid="dataset-counts">
              {(['experiments', 'plates', 'wells', 'sites', 'images', 'problems'] as const).map(
                (k) => (
                  <Stack key={k} gap={0}>
                    <Text size="xl" fw={700} data-testid={`count-${k}`}>
                      {s.counts[k].toLocaleString('en')}
                    </Text>
                    <Text size="xs" c="dimmed" data-testid={`count-${k}-label`}>
                      {COUNT_LABELS[k]}
                    </Text>
                  </Stack>
                ),
              )}
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Title order={4} mb={4}>
              Experiments and plates
            </Title>
            <Text size="xs" c="dimmed" mb="sm" data-testid="plates-table-caption">
              {byExperiment.length} experiment(s) and {s.plates.length} plate(s) in the metadata;{' '}
              {s.counts.experiments} experiment(s) and {s.counts.plates} plate(s) of them have
              images. Plates without images are marked “no images”.
            </Text>
            <ScrollArea.Autosize mah={320}>
              <Table striped highlightOnHover data-testid="plates-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Experiment</Table.Th>
                    <Table.Th>Split</Table.Th>
                    <Table.Th>Cell type</Table.Th>
                    <Table.Th>Plates (wells · sites)</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {byExperiment.map(([exp, plates]) => (
                    <Table.Tr key={exp} data-testid="experiment-row">
                      <Table.Td>{exp}</Table.Td>
                      <Table.Td>{plates[0].split}</Table.Td>
                      <Table.Td>{plates[0].cellType}</Table.Td>
                      <Table.Td>
                        <Group gap={6}>
                          {plates.map((p) => (
                            <Button
                              key={p.plate}
                              size="compact-xs"
                              variant={p.sites === 0 ? 'default' : 'light'}
                              onClick={() => {
                                selectPlate(exp, p.plate);
                                setScreen('plates');
                              }}
                              data-testid={`open-plate-${exp}-${p.plate}`}
                            >
                              P{p.plate}: {p.wells} · {p.sites === 0 ? 'no images' : p.sites}
                            </Button>
                          ))}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          </Paper>
          <ProblemsPanel version={catalogVersion} problems={s.counts.problems} />
        </>
      )}
    </Stack>
  );
}

/** What each headline count counts (catalog/counts.ts). */
const COUNT_LABELS = {
  experiments: 'experiments with images',
  plates: 'plates with images',
  wells: 'wells (metadata or images)',
  sites: 'sites on disk',
  images: 'channel images on disk',
  problems: 'problems (files and rows)',
} as const;

function ProblemsPanel({ version, problems: count }: { version: number; problems: number }) {
  const [kind, setKind] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [search] = useDebouncedValue(text, 250);
  const problems = useCall(
    'dataset.problems',
    { kind: kind ?? undefined, search: search || undefined, offset: 0, limit: 200 },
    `${version}|${kind}|${search}`,
  );
  const p = problems.data;
  return (
    <Paper withBorder p="md" data-testid="problems-panel">
      <Group justify="space-between" mb="sm">
        <Stack gap={0}>
          <Title order={4}>Problems found: {count.toLocaleString('en')}</Title>
          {p && (
            <Text size="xs" c="dimmed" data-testid="problems-entries">
              listed as {p.total.toLocaleString('en')} entr{p.total === 1 ? 'y' : 'ies'}
              {p.total !== count ? ' (one entry can stand for many files of the same kind)' : ''}
            </Text>
          )}
        </Stack>
        <Group>
          <Select
            placeholder="All kinds"
            clearable
            data={(p?.kinds ?? []).map((k) => ({ value: k.kind, label: `${k.kind} (${k.count})` }))}
            value={kind}
            onChange={setKind}
            data-testid="problems-kind"
          />
          <TextInput
            placeholder="Filter by text or file"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            data-testid="problems-search"
          />
        </Group>
      </Group>
      {p && p.items.length === 0 && (
        <Text c="dimmed">No problems{kind || search ? ' match' : ''}.</Text>
      )}
      {p && p.items.length > 0 && (
        <ScrollArea.Autosize mah={300}>
          <Table data-testid="problems-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Kind</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th>What is wrong</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {p.items.map((it, i) => (
                <Table.Tr key={`${it.path}-${i}`} data-testid="problem-row">
                  <Table.Td>
                    <Badge color="orange" variant="light">
                      {it.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ fontFamily: 'monospace', fontSize: 12 }}>{it.path}</Table.Td>
                  <Table.Td>{it.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Paper>
  );
}
