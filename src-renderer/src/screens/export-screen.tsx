// Export screen: Kaggle submission, per-well predictions CSV and the plate heatmap as a figure
// (title, row/column labels, legend with units; SVG and PNG, the screen's colours); each export
// returns a URL that is offered as a download link.
import { Alert, Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { HeatmapOptions } from '../components/heatmap-options';
import { useState } from 'react';
import type { CallOutput } from '../../../src-shared/contract';
import { PlatePicker } from '../components/plate-picker';
import { RunPicker } from '../components/run-picker';
import type { ColormapName } from '../../../src-shared/colormaps';
import { colormapFor, type MetricName } from '../../../src-shared/plate-heatmap';
import { describeError, useApi, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { SplitChoice } from '../components/choice';
import { SetWarnings } from '../components/set-warnings';

type Exported = CallOutput<'export.submission'>;
type Figure = CallOutput<'export.platePng'>;

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function Result({ r, testId }: { r: Exported | null; testId: string }) {
  const { media } = useApi();
  if (!r) return null;
  return (
    <Group gap="xs">
      <Anchor
        href={media(r.url)}
        download={fileName(r.path)}
        data-testid={testId}
        data-rows={r.rows}
      >
        Download {fileName(r.path)}
      </Anchor>
      <Text size="xs" c="dimmed">
        {r.rows.toLocaleString('en')} rows · saved at {r.path}
      </Text>
      {r.source && (
        <Text size="xs" c="dimmed" data-testid={`${testId}-source`}>
          from {r.source.label}
        </Text>
      )}
      {r.source && <SetWarnings warnings={r.source.warnings} testId={`${testId}-warnings`} />}
    </Group>
  );
}

export function ExportScreen() {
  const call = useCaller();
  const { runId, runChoices, experiment, plate } = useAppState();
  const [split, setSplit] = useState<'val' | 'test'>('test');
  // Well type needs no run, so the default figure has a value in every well.
  const [metric, setMetric] = useState<MetricName>('well_type');
  const [colormap, setColormap] = useState<ColormapName | null>(null);
  const [channel, setChannel] = useState(1);
  const map = colormapFor(metric, colormap);
  const [busy, setBusy] = useState<string | null>(null);
  const [sub, setSub] = useState<Exported | null>(null);
  const [subError, setSubError] = useState<string | null>(null);
  const [preds, setPreds] = useState<Exported | null>(null);
  const [png, setPng] = useState<Figure | null>(null);
  const { media, client } = useApi();

  // The submission's refusal (another dataset's set, an incomplete run…) is shown in place.
  const exportSubmission = async (id: string) => {
    setBusy('sub');
    setSub(null);
    setSubError(null);
    const res = await client.call('export.submission', { runId: id, ...runChoices });
    if (res.ok) setSub(res.data);
    else setSubError(describeError(res.error));
    setBusy(null);
  };

  const wrap = async <T,>(name: string, f: () => Promise<T | null>, set: (r: T | null) => void) => {
    setBusy(name);
    set(await f());
    setBusy(null);
  };

  return (
    <Stack gap="md" data-testid="screen-export">
      <Paper withBorder p="sm">
        <RunPicker clearable={false} />
      </Paper>
      {!runId && <Alert color="blue">Exports of predictions need a trained run.</Alert>}
      <Paper withBorder p="sm">
        <Title order={5}>Kaggle submission</Title>
        <Text size="sm" c="dimmed" mb="xs">
          id_code,sirna — one row per test.csv well of the open dataset, from the run's test
          predictions made on it (predict the test split first).
        </Text>
        <Group>
          <Button
            disabled={!runId}
            loading={busy === 'sub'}
            onClick={() => runId && void exportSubmission(runId)}
            data-testid="export-submission"
          >
            Export submission
          </Button>
          <Result r={sub} testId="export-submission-link" />
        </Group>
        {subError && (
          <Alert color="red" mt="xs" data-testid="export-submission-error">
            {subError}
          </Alert>
        )}
      </Paper>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Per-well predictions (CSV)
        </Title>
        <Group>
          <SplitChoice bare value={split} onChange={setSplit} />
          <Button
            disabled={!runId}
            loading={busy === 'preds'}
            onClick={() =>
              runId &&
              void wrap('preds', () => call('export.predictions', { runId, split }), setPreds)
            }
            data-testid="export-predictions"
          >
            Export predictions
          </Button>
          <Result r={preds} testId="export-predictions-link" />
        </Group>
      </Paper>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Plate heatmap figure (PNG + SVG)
        </Title>
        <PlatePicker />
        <Group mt="sm" align="end">
          <HeatmapOptions
            metric={metric}
            onMetric={setMetric}
            channel={channel}
            onChannel={setChannel}
            colormap={map}
            onColormap={setColormap}
            hasRun={!!runId}
            testIdPrefix="export"
          />
          <Button
            disabled={experiment === null || plate === null}
            loading={busy === 'png'}
            onClick={() =>
              experiment !== null &&
              plate !== null &&
              void wrap(
                'png',
                () =>
                  call('export.platePng', {
                    experiment,
                    plate,
                    metric,
                    colormap: map,
                    intensityChannel: channel,
                    runId: runId ?? undefined,
                  }),
                setPng,
              )
            }
            data-testid="export-png"
          >
            Export figure
          </Button>
        </Group>
        <Stack mt="xs">
          {png && (
            <Group gap="xs">
              <Anchor
                href={media(png.url)}
                download={fileName(png.path)}
                data-testid="export-png-link"
                data-rows={png.rows}
              >
                Download {fileName(png.path)}
              </Anchor>
              <Anchor
                href={media(png.svg.url)}
                download={fileName(png.svg.path)}
                data-testid="export-svg-link"
              >
                Download {fileName(png.svg.path)}
              </Anchor>
              <Text size="xs" c="dimmed" data-testid="export-png-summary">
                {png.rows} of {png.wells} wells with a value · {png.withImages} with images · saved
                at {png.path}
              </Text>
            </Group>
          )}
          {png && (
            <img
              src={media(png.url)}
              alt="plate heatmap"
              style={{ maxWidth: 600, border: '1px solid #ddd' }}
            />
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
