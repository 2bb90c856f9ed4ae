// Embedding screen (the batch-effect view): a prediction set's wells in 2-D (PCA, or UMAP once its
// job is done), coloured by experiment, cell type, plate, siRNA, well type or correctness; how
// organised by batch vs class it is, in words; box/lasso-selected wells shown on their plates.
import {
  Alert,
  Button,
  Group,
  Paper,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useCallback, useMemo, useState } from 'react';
import { DISTINCT_CATEGORIES, css, type Rgb } from '../../../src-shared/colormaps';
import type { EmbeddingPoint, EmbeddingView, PlateWell } from '../../../src-shared/contract';
import { Choice, SplitChoice } from '../components/choice';
import { JobAction } from '../components/job-action';
import { PlateGrid } from '../components/plate-grid';
import { RunPicker } from '../components/run-picker';
import { ScatterPlot } from '../components/scatter/scatter-plot';
import {
  COLOR_BY,
  COLOR_BY_LABELS,
  colourPoints,
  organisationWords,
  type ColorBy,
  type LegendEntry,
} from '../lib/embedding';
import { percent } from '../lib/format';
import { useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { useJobs } from '../state/jobs-context';

/** Plates drawn for a selection (the rest are listed by name). */
const MAX_PLATES = 6;

export function EmbeddingScreen() {
  const call = useCaller();
  const { runId, route, update, openWell, catalogVersion } = useAppState();
  const { split, projection, color } = route;
  const { jobs, byId } = useJobs();
  const predictDone = jobs.filter((j) => j.kind === 'predict' && j.status === 'done').length;
  const embedEnded = jobs.filter(
    (j) => j.kind === 'embed' && j.status !== 'running' && j.status !== 'queued',
  ).length;
  const summary = useCall(
    'predictions.summary',
    { runId: runId ?? '', split },
    `${runId}|${split}|${predictDone}`,
    !!runId,
  );
  // The summary of another run or split may still be shown while this one loads: not a set.
  const hasSet =
    !!summary.data && summary.data.source.runId === runId && summary.data.source.split === split;
  const emb = useCall(
    'embedding.get',
    { runId: runId ?? '', split, projection },
    `${runId}|${split}|${projection}|${predictDone}|${embedEnded}|${catalogVersion}`,
    !!runId && hasSet,
  );
  // Older answers stay visible while a new one loads: only show the one for this run and split.
  const view = emb.data && emb.data.runId === runId && emb.data.split === split ? emb.data : null;

  const [umapJobId, setUmapJobId] = useState<string | null>(null);
  const umapJob = byId(view?.umap.jobId ?? umapJobId);
  const computeUmap = async () => {
    if (!runId) return;
    const res = await call('embedding.umap', { runId, split });
    if (res) setUmapJobId(res.jobId);
  };

  return (
    <Stack gap="md" data-testid="screen-embedding">
      <Paper withBorder p="sm">
        <Group align="end" gap="md">
          <RunPicker clearable={false} />
          <SplitChoice
            value={split}
            onChange={(v) => update({ split: v })}
            testId="embedding-split"
          />
          <Choice
            label="Projection"
            options={[
              { value: 'pca', label: 'PCA' },
              { value: 'umap', label: 'UMAP' },
            ]}
            value={projection}
            onChange={(v) => update({ projection: v })}
            testId="embedding-projection"
          />
          <Select
            label="Colour by"
            data={COLOR_BY.map((c) => ({ value: c, label: COLOR_BY_LABELS[c] }))}
            value={color}
            onChange={(v) => v && update({ color: v as ColorBy })}
            allowDeselect={false}
            w={180}
            data-testid="embedding-color"
          />
        </Group>
      </Paper>
      {!runId && (
        <Alert color="blue" data-testid="embedding-no-run">
          No run chosen: train a model on the Training screen, then predict a split on the
          Predictions screen; its wells appear here.
        </Alert>
      )}
      {runId && !summary.loading && !hasSet && (
        <Alert color="blue" data-testid="embedding-no-predictions">
          <Group justify="space-between">
            <Text size="sm">
              No {split === 'val' ? 'validation' : 'test'} predictions of {runId} on the open
              dataset yet: the embedding is captured by the prediction pass.
            </Text>
            <Button size="xs" variant="light" onClick={() => update({ screen: 'predictions' })}>
              Go to Predictions
            </Button>
          </Group>
        </Alert>
      )}
      {runId && hasSet && emb.error && !emb.loading && (
        <Alert color="yellow" data-testid="embedding-missing">
          This prediction set has no embedding to show: {emb.error.message}
        </Alert>
      )}
      {view && projection === 'umap' && view.umap.state !== 'ready' && (
        <Alert color="gray" p="xs" data-testid="umap-state" data-state={view.umap.state}>
          <Group gap="sm">
            <Text size="sm">
              {view.umap.state === 'running'
                ? 'UMAP is being computed; PCA is shown until it is done.'
                : 'No UMAP of this prediction set yet; PCA is shown.'}
            </Text>
            <JobAction
              job={umapJob}
              onClick={() => void computeUmap()}
              disabled={view.umap.state === 'running'}
              testId="umap-compute"
              jobTestId="umap-job"
            >
              Compute UMAP
            </JobAction>
          </Group>
        </Alert>
      )}
      {view && <EmbeddingBody view={view} color={color} onOpen={openWell} />}
    </Stack>
  );
}

/** Scatter, legend, organisation and selection of one loaded embedding view. */
function EmbeddingBody({
  view,
  color,
  onOpen,
}: {
  view: EmbeddingView;
  color: ColorBy;
  onOpen: (idCode: string) => void;
}) {
  const points = view.points;
  const xs = useMemo(() => Float64Array.from(points, (p) => p.x), [points]);
  const ys = useMemo(() => Float64Array.from(points, (p) => p.y), [points]);
  const colouring = useMemo(() => colourPoints(points, color), [points, color]);
  const colors = useMemo(() => colouring.legend.map((e) => e.color), [colouring]);
  // Hidden legend entries belong to one colouring, the selection to one set of points.
  const [hiddenFor, setHiddenFor] = useState<{ of: unknown; set: ReadonlySet<number> }>({
    of: null,
    set: new Set(),
  });
  const hidden = useMemo(
    () => (hiddenFor.of === colouring ? hiddenFor.set : new Set<number>()),
    [hiddenFor, colouring],
  );
  const [selectionFor, setSelectionFor] = useState<{ of: unknown; points: number[] }>({
    of: null,
    points: [],
  });
  const selected = useMemo(
    () => (selectionFor.of === points ? selectionFor.points : []),
    [selectionFor, points],
  );
  const toggle = (g: number) => {
    const next = new Set(hidden);
    if (next.has(g)) next.delete(g);
    else next.add(g);
    setHiddenFor({ of: colouring, set: next });
  };
  const onSelect = useCallback(
    (idx: number[]) => setSelectionFor({ of: points, points: idx }),
    [points],
  );
  const open = useCallback((i: number) => onOpen(points[i]!.idCode), [points, onOpen]);
  const tooltip = useCallback((i: number) => <PointTooltip p={points[i]!} />, [points]);
  const colourOf = useCallback((i: number) => colors[colouring.groups[i]!]!, [colors, colouring]);
  const words = organisationWords(view.organisation);

  return (
    <>
      <Text size="sm" c="dimmed" data-testid="embedding-source">
        {view.source.label} · {view.points.length} wells · {view.dims}-d embedding ·{' '}
        {view.projection.toUpperCase()}
      </Text>
      <Group align="start" gap="md" wrap="nowrap">
        <Paper
          withBorder
          p="sm"
          style={{ flex: 1, minWidth: 0 }}
          data-testid="embedding-plot"
          data-projection={view.projection}
        >
          {points.length === 0 ? (
            <Text c="dimmed">This prediction set has no wells.</Text>
          ) : (
            <ScatterPlot
              xs={xs}
              ys={ys}
              groups={colouring.groups}
              colors={colors}
              hidden={hidden}
              selected={selected}
              onSelect={onSelect}
              onOpen={open}
              tooltip={tooltip}
            />
          )}
        </Paper>
        <Stack w={360} gap="md">
          <Paper withBorder p="sm" data-testid="embedding-organisation">
            <Title order={5} mb={4}>
              Batch or biology?
            </Title>
            <Text size="sm" data-testid="organisation-headline">
              {words.headline}
            </Text>
            <Text size="sm" fw={600} mt={4} data-testid="organisation-verdict">
              {words.verdict}
            </Text>
            <Text size="xs" c="dimmed" mt={4}>
              {words.detail} Computed on the {view.dims}-d embedding, not on the picture.
            </Text>
            {/* The note explains missing numbers; its own wording of the verdict is not repeated. */}
            {view.organisation.sameSirna === null && view.organisation.note && (
              <Text size="xs" c="dimmed" mt={4}>
                {view.organisation.note}
              </Text>
            )}
          </Paper>
          <EmbeddingLegend
            title={COLOR_BY_LABELS[color]}
            entries={colouring.legend}
            hidden={hidden}
            onToggle={toggle}
          />
        </Stack>
      </Group>
      <SelectionPlates
        points={points}
        selected={selected}
        colourOf={colourOf}
        runId={view.runId}
        onOpen={onOpen}
        onClear={() => setSelectionFor({ of: points, points: [] })}
      />
    </>
  );
}

function PointTooltip({ p }: { p: EmbeddingPoint }) {
  return (
    <span data-testid="tooltip-well" data-idcode={p.idCode}>
      <b>
        {p.experiment} · plate {p.plate} · {p.well}
      </b>
      <br />
      {p.cellType} · {p.wellType.replace('_', ' ')}
      <br />
      siRNA {p.sirnaLabel ?? 'unknown'} → predicted {p.predictedLabel} ({percent(p.confidence)})
      {p.correct !== null && (p.correct ? ' ✓' : ' ✗')}
      <br />
      click to open in the well viewer
    </span>
  );
}

/** The colour groups with their point counts; clicking one hides or shows its points. */
function EmbeddingLegend({
  title,
  entries,
  hidden,
  onToggle,
}: {
  title: string;
  entries: LegendEntry[];
  hidden: ReadonlySet<number>;
  onToggle: (g: number) => void;
}) {
  return (
    <Paper withBorder p="sm" data-testid="embedding-legend" data-title={title}>
      <Text size="sm" fw={600}>
        {title}{' '}
        <Text span size="xs" c="dimmed" fw={400}>
          (click to hide or show
          {entries.length > DISTINCT_CATEGORIES
            ? `; colours repeat every ${DISTINCT_CATEGORIES}`
            : ''}
          )
        </Text>
      </Text>
      <ScrollArea.Autosize mah={320}>
        <Stack gap={2} mt={4}>
          {entries.map((e, g) => (
            <UnstyledButton
              key={e.label}
              onClick={() => onToggle(g)}
              data-testid="legend-entry"
              data-label={e.label}
              data-hidden={String(hidden.has(g))}
              style={{ opacity: hidden.has(g) ? 0.35 : 1 }}
            >
              <Group gap={6} wrap="nowrap">
                <span
                  style={{
                    width: 12,
                    height: 12,
                    borderRadius: 6,
                    display: 'inline-block',
                    background: css(e.color),
                  }}
                />
                <Text size="xs" style={{ textDecoration: hidden.has(g) ? 'line-through' : 'none' }}>
                  {e.label}
                </Text>
                <Text size="xs" c="dimmed">
                  {e.count}
                </Text>
              </Group>
            </UnstyledButton>
          ))}
        </Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}

/** The selected wells, plate by plate: a small plate grid per plate with its selected wells lit. */
function SelectionPlates({
  points,
  selected,
  colourOf,
  runId,
  onOpen,
  onClear,
}: {
  points: readonly EmbeddingPoint[];
  selected: readonly number[];
  colourOf: (i: number) => Rgb;
  runId: string;
  onOpen: (idCode: string) => void;
  onClear: () => void;
}) {
  const plates = useMemo(() => {
    const by = new Map<string, { experiment: string; plate: number; wells: Map<string, Rgb> }>();
    for (const i of selected) {
      const p = points[i]!;
      const key = `${p.experiment}_${p.plate}`;
      const entry = by.get(key) ?? { experiment: p.experiment, plate: p.plate, wells: new Map() };
      entry.wells.set(p.well, colourOf(i));
      by.set(key, entry);
    }
    return [...by.values()].sort(
      (a, b) =>
        b.wells.size - a.wells.size ||
        a.experiment.localeCompare(b.experiment) ||
        a.plate - b.plate,
    );
  }, [points, selected, colourOf]);
  if (selected.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="selection-hint">
        Shift-drag a box or alt-drag a lasso (or switch to lasso mode) to select wells and see them
        on their plates; drag to pan, wheel to zoom, click a point to open its well.
      </Text>
    );
  }
  return (
    <Paper withBorder p="sm" data-testid="selection" data-count={selected.length}>
      <Group justify="space-between" mb="xs">
        <Title order={5}>
          {selected.length} well{selected.length === 1 ? '' : 's'} selected on {plates.length} plate
          {plates.length === 1 ? '' : 's'}
        </Title>
        <Button size="xs" variant="light" onClick={onClear} data-testid="selection-clear">
          Clear selection
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
        {plates.slice(0, MAX_PLATES).map((p) => (
          <SelectedPlate key={`${p.experiment}_${p.plate}`} {...p} runId={runId} onOpen={onOpen} />
        ))}
      </SimpleGrid>
      {plates.length > MAX_PLATES && (
        <Text size="sm" c="dimmed" mt="xs">
          Also on:{' '}
          {plates
            .slice(MAX_PLATES)
            .map((p) => `${p.experiment} plate ${p.plate} (${p.wells.size})`)
            .join(', ')}
        </Text>
      )}
    </Paper>
  );
}

function SelectedPlate({
  experiment,
  plate,
  wells,
  runId,
  onOpen,
}: {
  experiment: string;
  plate: number;
  wells: Map<string, Rgb>;
  runId: string;
  onOpen: (idCode: string) => void;
}) {
  const res = useCall(
    'plates.wells',
    { experiment, plate, runId },
    `${experiment}|${plate}|${runId}`,
  );
  const list = useMemo(() => res.data?.wells ?? [], [res.data]);
  const byName = useMemo(() => new Map(list.map((w) => [w.well, w])), [list]);
  const dimmed = useCallback((w: PlateWell) => !wells.has(w.well), [wells]);
  return (
    <Stack
      gap={4}
      data-testid="selection-plate"
      data-plate={`${experiment}_${plate}`}
      data-wells={[...wells.keys()].sort().join(' ')}
    >
      <Text size="sm" fw={500}>
        {experiment} plate {plate}: {wells.size} well{wells.size === 1 ? '' : 's'}
      </Text>
      {res.error && (
        <Text size="xs" c="red">
          {res.error.message}
        </Text>
      )}
      <div style={{ overflowX: 'auto' }}>
        <PlateGrid
          wells={list}
          colors={wells}
          selected={null}
          onSelect={(name) => {
            const w = byName.get(name);
            if (w && wells.has(name)) onOpen(w.idCode);
          }}
          onOpen={(w) => onOpen(w.idCode)}
          dimmed={dimmed}
          cellSize={13}
        />
      </div>
    </Stack>
  );
}
