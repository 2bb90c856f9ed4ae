// Plate browser: pick a plate, see its 384-well layout with thumbnails from one sprite or a
// heatmap of a per-well metric (legend + colormap), filter controls, hover/click/keyboard wells.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { HeatmapOptions } from '../components/heatmap-options';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useMemo, useState } from 'react';
import type { CallOutput, PlateWell } from '../../../src-shared/contract';
import { ChannelChips } from '../components/channel-chips';
import { HeatmapLegend, PlainKeys } from '../components/heatmap-legend';
import { Choice } from '../components/choice';
import { PlateGrid, type Sprite } from '../components/plate-grid';
import { PlatePicker } from '../components/plate-picker';
import { RunPicker } from '../components/run-picker';
import type { ColormapName } from '../../../src-shared/colormaps';
import { USED_WELL_COUNT } from '../../../src-shared/plate';
import { buildHeatmap, colormapFor, type MetricName } from '../../../src-shared/plate-heatmap';
import { useApi, useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { percent } from '../lib/format';

export function PlatesScreen() {
  const { experiment, plate, runId, display, openWell, catalogVersion, route, update } =
    useAppState();
  const { media } = useApi();
  // View mode, metric and the selected cell live in the URL (reload and Back restore them).
  const { mode, metric, cell: selected } = route;
  const setMode = (m: typeof mode) => update({ mode: m });
  const setMetric = (m: MetricName) => update({ metric: m });
  const setSelected = useCallback(
    (cell: string | null) => update({ cell }, { replace: true }),
    [update],
  );
  const [colormap, setColormap] = useState<ColormapName>('categorical');
  const [channel, setChannel] = useState(1);
  const [site, setSite] = useState(1);
  const [typeFilter, setTypeFilter] = useState<
    'all' | 'controls' | 'negative' | 'positive' | 'treatment'
  >('all');
  const [sirnaFilter, setSirnaFilter] = useState('');
  const [exporting, setExporting] = useState(false);
  const [exported, setPng] = useState<{
    key: string;
    r: CallOutput<'export.platePng'> | null;
  } | null>(null);
  // A download link only for the plate and metric it was made from.
  const map = colormapFor(metric, colormap);
  const pngKey = `${experiment}|${plate}|${metric}|${map}|${channel}|${runId}`;
  const png = exported?.key === pngKey ? exported.r : null;
  const call = useCaller();
  const [debouncedDisplay] = useDebouncedValue(display, 200);

  const ready = experiment !== null && plate !== null;
  const wells = useCall(
    'plates.wells',
    {
      experiment: experiment ?? '',
      plate: plate ?? 1,
      runId: runId ?? undefined,
      intensityChannel: metric === 'intensity' ? channel : undefined,
    },
    `${experiment}|${plate}|${runId}|${metric === 'intensity' ? channel : ''}|${catalogVersion}`,
    ready,
  );
  const thumbs = useCall(
    'thumbnails.plate',
    { experiment: experiment ?? '', plate: plate ?? 1, site, size: 64, display: debouncedDisplay! },
    `${experiment}|${plate}|${site}|${JSON.stringify(debouncedDisplay)}|${catalogVersion}`,
    ready && mode === 'thumbnails' && debouncedDisplay !== null,
  );

  const sprite = useMemo<Sprite | null>(() => {
    const t = thumbs.data;
    if (!t) return null;
    return {
      url: media(t.url),
      columns: t.columns,
      index: new Map(t.wells.map((w) => [w.well, w.index])),
    };
  }, [thumbs.data, media]);

  const wellList = useMemo(() => wells.data?.wells ?? [], [wells.data]);
  const heat = useMemo(
    () => (mode === 'heatmap' ? buildHeatmap(wellList, metric, map, channel) : null),
    [mode, wellList, metric, map, channel],
  );
  const dimmed = useCallback(
    (w: PlateWell) => {
      if (sirnaFilter.trim() && w.sirna !== sirnaFilter.trim()) return true;
      switch (typeFilter) {
        case 'all':
          return false;
        case 'controls':
          return w.wellType === 'treatment';
        case 'negative':
          return w.wellType !== 'negative_control';
        case 'positive':
          return w.wellType !== 'positive_control';
        case 'treatment':
          return w.wellType !== 'treatment';
      }
    },
    [typeFilter, sirnaFilter],
  );
  const onOpen = useCallback((w: PlateWell) => openWell(w.idCode), [openWell]);
  const sel = wellList.find((w) => w.well === selected) ?? null;

  return (
    <Stack gap="md" data-testid="screen-plates">
      <Paper withBorder p="sm">
        <Group justify="space-between" align="end">
          <PlatePicker />
          <RunPicker />
        </Group>
      </Paper>
      <Paper withBorder p="sm">
        <Group gap="md" align="end">
          <Choice
            label="Show"
            options={[
              { value: 'thumbnails', label: 'Thumbnails' },
              { value: 'heatmap', label: 'Heatmap' },
            ]}
            value={mode}
            onChange={setMode}
            testId="plate-mode"
          />
          {mode === 'thumbnails' && (
            <div>
              <Text size="sm" fw={500}>
                Site
              </Text>
              <SegmentedControl
                data={['1', '2']}
                value={String(site)}
                onChange={(v) => setSite(Number(v))}
                data-testid="plate-site"
              />
            </div>
          )}
          {mode === 'thumbnails' && <ChannelChips />}
          {mode === 'heatmap' && (
            <>
              <HeatmapOptions
                metric={metric}
                onMetric={setMetric}
                channel={channel}
                onChannel={setChannel}
                colormap={map}
                onColormap={setColormap}
                hasRun={!!runId}
                testIdPrefix="heatmap"
              />
            </>
          )}
          <Select
            label="Highlight"
            data={[
              { value: 'all', label: 'All wells' },
              { value: 'controls', label: 'Controls' },
              { value: 'negative', label: 'Negative controls' },
              { value: 'positive', label: 'Positive controls' },
              { value: 'treatment', label: 'Treatments' },
            ]}
            value={typeFilter}
            onChange={(v) => v && setTypeFilter(v as typeof typeFilter)}
            w={170}
            data-testid="well-type-filter"
          />
          <TextInput
            label="siRNA"
            placeholder="any"
            value={sirnaFilter}
            onChange={(e) => setSirnaFilter(e.currentTarget.value)}
            w={90}
            data-testid="sirna-filter"
          />
          {mode === 'heatmap' && experiment !== null && plate !== null && (
            <Group gap="xs" align="end">
              <Button
                variant="default"
                loading={exporting}
                onClick={() => {
                  setExporting(true);
                  void call('export.platePng', {
                    experiment,
                    plate,
                    metric,
                    colormap: map,
                    intensityChannel: channel,
                    runId: runId ?? undefined,
                  }).then((r) => {
                    setExporting(false);
                    setPng({ key: pngKey, r });
                  });
                }}
                data-testid="heatmap-export"
              >
                Export figure
              </Button>
              {png && (
                <Anchor href={media(png.url)} download size="sm" data-testid="heatmap-export-link">
                  Download PNG
                </Anchor>
              )}
              {png && (
                <Anchor
                  href={media(png.svg.url)}
                  download
                  size="sm"
                  data-testid="heatmap-export-svg-link"
                >
                  SVG
                </Anchor>
              )}
            </Group>
          )}
          {(wells.loading || thumbs.loading) && <Loader size="sm" />}
        </Group>
      </Paper>

      {wells.error && <Alert color="red">{wells.error.message}</Alert>}
      {thumbs.error && mode === 'thumbnails' && (
        <Alert color="orange">Thumbnails: {thumbs.error.message}</Alert>
      )}
      {!ready && <Alert color="blue">Open a dataset first (Datasets screen).</Alert>}
      {ready && wells.data && (
        <Group align="start" gap="lg" wrap="nowrap">
          <Stack gap="xs">
            <Group gap="xs">
              <Badge variant="light">{wells.data.experiment}</Badge>
              <Badge variant="light">plate {wells.data.plate}</Badge>
              <Badge variant="light">{wells.data.cellType}</Badge>
              <Badge variant="light">{wells.data.split}</Badge>
              <Text size="xs" c="dimmed" data-testid="plate-well-count">
                {wellList.length} of {Math.max(USED_WELL_COUNT, wellList.length)} used wells filled
                · {wellList.filter((w) => w.hasImages).length} with images · N = negative control, P
                = positive control
              </Text>
            </Group>
            <PlateGrid
              wells={wellList}
              sprite={mode === 'thumbnails' ? sprite : null}
              colors={heat?.colors ?? null}
              values={heat?.values ?? null}
              selected={selected}
              onSelect={setSelected}
              onOpen={onOpen}
              dimmed={dimmed}
            />
            {mode === 'thumbnails' && (
              <Group gap="sm" data-testid="thumbnail-keys">
                <PlainKeys />
              </Group>
            )}
            {heat && (
              <HeatmapLegend
                legend={heat.legend}
                note={metric === 'intensity' ? wells.data.intensity?.note : null}
              />
            )}
            <Text size="xs" c="dimmed">
              Arrow keys move, Enter or double-click opens the well.
            </Text>
          </Stack>
          <Paper withBorder p="sm" w={260} data-testid="well-info">
            {sel ? (
              <Table>
                <Table.Tbody>
                  <Row k="Well" v={sel.well} />
                  <Row k="id_code" v={sel.idCode} />
                  <Row k="Type" v={sel.wellType} />
                  <Row k="siRNA" v={sel.sirna ?? '—'} />
                  <Row k="Sites" v={String(sel.sites)} />
                  <Row k="Images" v={sel.broken ? 'broken' : sel.hasImages ? 'ok' : 'missing'} />
                  {sel.prediction && (
                    <>
                      <Row k="Predicted" v={sel.prediction.assigned ?? sel.prediction.top} />
                      <Row k="Confidence" v={percent(sel.prediction.prob)} />
                      <Row
                        k="Correct"
                        v={
                          sel.prediction.correct === null
                            ? '—'
                            : sel.prediction.correct
                              ? 'yes'
                              : 'no'
                        }
                      />
                    </>
                  )}
                </Table.Tbody>
              </Table>
            ) : (
              <Text size="sm" c="dimmed">
                Click a well to see its metadata.
              </Text>
            )}
          </Paper>
        </Group>
      )}
    </Stack>
  );
}

function Row({ k, v }: { k: string; v: string }) {
  return (
    <Table.Tr>
      <Table.Td c="dimmed">{k}</Table.Td>
      <Table.Td>{v}</Table.Td>
    </Table.Tr>
  );
}
