// The application frame: hash router, header (backend in use, open dataset, connection, jobs),
// screen tabs and the active screen; Alt+1…8 switch screens from the keyboard.
import { Alert, AppShell, Badge, Button, Group, Tabs, Text, Tooltip } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { Router } from 'wouter';
import { useQueryHashLocation, useQueryHashSearch } from './state/hash-location';
import { useCall, useCaller } from './state/api-context';
import { AppStateProvider, useAppState, type Screen } from './state/app-state';
import { JobsProvider } from './state/jobs-context';
import { useConnected } from './state/connection';
import { datasetName, recentDatasetNamed } from './lib/format';
import { ErrorBoundary } from './components/error-boundary';
import { JobsIndicator } from './components/jobs-indicator';
import { Notifications } from './components/notifications';
import { DatasetsScreen } from './screens/datasets-screen';
import { PlatesScreen } from './screens/plates-screen';
import { WellScreen } from './screens/well-screen';
import { TrainingScreen } from './screens/training-screen';
import { PredictionsScreen } from './screens/predictions-screen';
import { SweepsScreen } from './screens/sweeps-screen';
import { ExportScreen } from './screens/export-screen';
import { EmbeddingScreen } from './screens/embedding-screen';

const SCREENS: { id: Screen; label: string }[] = [
  { id: 'datasets', label: 'Datasets' },
  { id: 'plates', label: 'Plates' },
  { id: 'well', label: 'Well' },
  { id: 'training', label: 'Training' },
  { id: 'sweeps', label: 'Sweeps' },
  { id: 'predictions', label: 'Predictions' },
  { id: 'embedding', label: 'Embedding' },
  { id: 'export', label: 'Export' },
];

export function App() {
  return (
    <Router hook={useQueryHashLocation} searchHook={useQueryHashSearch}>
      <JobsProvider>
        <AppStateProvider>
          <Frame />
          <Notifications />
        </AppStateProvider>
      </JobsProvider>
    </Router>
  );
}

function Frame() {
  const { screen, setScreen, catalogVersion, route, update } = useAppState();
  const info = useCall('app.info', {}, String(catalogVersion));
  const connected = useConnected();

  // The URL names the open dataset. A link made on another dataset keeps its name (and says so
  // below); opening another dataset in this window moves the URL along with it.
  const openName = info.data?.dataset ? datasetName(info.data.dataset.root) : null;
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (!openName) return;
    const before = seen.current;
    seen.current = openName;
    if (route.dataset === null || (before !== null && before !== openName))
      update({ dataset: openName }, { replace: true });
  }, [openName, route.dataset, update]);
  const otherDataset =
    openName && route.dataset && route.dataset !== openName ? route.dataset : null;
  // The linked dataset, when it is one this data folder opened before: it can be opened from here.
  const linkedRoot = otherDataset
    ? recentDatasetNamed(otherDataset, info.data?.recentDatasets ?? [])
    : null;
  const call = useCaller();

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const i = Number(e.key) - 1;
      if (i >= 0 && i < SCREENS.length) {
        e.preventDefault();
        setScreen(SCREENS[i].id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setScreen]);

  const backend = info.data?.backend;
  return (
    <AppShell header={{ height: 52 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Text fw={700} size="lg">
              PlateLab
            </Text>
            <Tabs value={screen} onChange={(v) => v && setScreen(v as Screen)} variant="pills">
              <Tabs.List>
                {SCREENS.map((s, i) => (
                  <Tooltip key={s.id} label={`Alt+${i + 1}`} openDelay={600}>
                    <Tabs.Tab value={s.id} data-testid={`nav-${s.id}`}>
                      {s.label}
                    </Tabs.Tab>
                  </Tooltip>
                ))}
              </Tabs.List>
            </Tabs>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {info.data && (
              <Tooltip
                label={
                  info.data.dataset
                    ? `${info.data.dataset.root} (${info.data.dataset.format})`
                    : 'No dataset is open: open one on the Datasets screen'
                }
              >
                <Badge
                  variant="light"
                  color={info.data.dataset ? 'indigo' : 'gray'}
                  maw={260}
                  data-testid="header-dataset"
                  data-root={info.data.dataset?.root ?? ''}
                >
                  {info.data.dataset
                    ? `dataset: ${datasetName(info.data.dataset.root)}`
                    : 'no dataset'}
                </Badge>
              </Tooltip>
            )}
            <Tooltip
              multiline
              w={320}
              label={
                backend
                  ? `${backend.detail}. Tried: ${backend.tried
                      .map((t) => `${t.name} ${t.ok ? 'ok' : `no (${t.reason ?? 'unavailable'})`}`)
                      .join('; ')}`
                  : 'Loading…'
              }
            >
              <Badge variant="filled" color="teal" data-testid="header-backend">
                compute: {backend?.name ?? '…'}
                {backend?.adapter
                  ? ` · ${backend.adapter.description || backend.adapter.architecture}`
                  : ''}
              </Badge>
            </Tooltip>
            {!connected && (
              <Badge color="red" data-testid="header-disconnected">
                reconnecting…
              </Badge>
            )}
            <JobsIndicator />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        {otherDataset && (
          <Alert color="yellow" p="xs" mb="sm" data-testid="link-other-dataset">
            <Group justify="space-between">
              <Text size="sm">
                This view was linked on dataset “{otherDataset}”; the open dataset is “{openName}”:
                its experiments, plates and runs may differ.
              </Text>
              <Group gap="xs">
                {linkedRoot && (
                  <Button
                    size="xs"
                    onClick={() => void call('dataset.open', { root: linkedRoot })}
                    data-testid="open-linked-dataset"
                    title={linkedRoot}
                  >
                    Open “{otherDataset}”
                  </Button>
                )}
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => update({ dataset: openName }, { replace: true })}
                >
                  Use the open dataset
                </Button>
              </Group>
            </Group>
          </Alert>
        )}
        <ErrorBoundary key={screen}>
          {screen === 'datasets' && <DatasetsScreen />}
          {screen === 'plates' && <PlatesScreen />}
          {screen === 'well' && <WellScreen />}
          {screen === 'training' && <TrainingScreen backend={backend?.name ?? null} />}
          {screen === 'sweeps' && <SweepsScreen />}
          {screen === 'predictions' && <PredictionsScreen />}
          {screen === 'embedding' && <EmbeddingScreen />}
          {screen === 'export' && <ExportScreen />}
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
