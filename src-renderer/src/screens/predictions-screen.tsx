// Predictions screen: run inference (TTA, plate assignment), accuracy per plate incl. controls,
// the most confused pairs, keyboard-driven review queues (with review decisions: exclude / suspect
// label) and the plate heatmap of correctness; an ensemble of several runs or a sweep, shown like
// any other set; the dataset's review decisions list.
import {
  Alert,
  Badge,
  Group,
  Paper,
  ScrollArea,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CallOutput, PlateWell, ReviewCurrent } from '../../../src-shared/contract';
import { SplitChoice } from '../components/choice';
import { EnsemblePanel } from '../components/ensemble-panel';
import { SetWarnings } from '../components/set-warnings';
import { JobAction } from '../components/job-action';
import { HeatmapLegend } from '../components/heatmap-legend';
import { PlateGrid } from '../components/plate-grid';
import { PlatePicker } from '../components/plate-picker';
import { RunPicker } from '../components/run-picker';
import { ReviewActions, ReviewBadge } from '../components/review-actions';
import { ReviewDecisionsPanel } from '../components/review-decisions-panel';
import { describeUnscored } from '../../../src-shared/class-coverage';
import { buildHeatmap } from '../../../src-shared/plate-heatmap';
import { percent } from '../lib/format';
import { isTextField } from '../lib/keys';
import type { Queue } from '../state/routes';
import { useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { useJobs } from '../state/jobs-context';

/** How many wells a review queue lists (the most confident / least confident first). */
const QUEUE_LIMIT = 100;

const pct = percent;

export function PredictionsScreen() {
  const call = useCaller();
  const {
    runId,
    runChoices,
    experiment,
    plate,
    openWell,
    selectPlate,
    route,
    update,
    catalogVersion,
  } = useAppState();
  const { byId, jobs } = useJobs();
  // Split and review queue live in the URL (the well viewer steps through the same queue).
  const { split } = route;
  // Test wells carry no labels: "confident but wrong" cannot be known there.
  const unlabelled = split === 'test';
  const queue: Queue =
    unlabelled && route.queue === 'confident-wrong' ? 'least-confident' : route.queue;
  const setSplit = (v: typeof split) => update({ split: v });
  const setQueue = (v: Queue) => update({ queue: v });
  const openFromQueue = useCallback(
    (idCode: string) => {
      update({ queue }, { replace: true });
      openWell(idCode, { fromQueue: true });
    },
    [openWell, update, queue],
  );
  const [tta, setTta] = useState(true);
  const [assign, setAssign] = useState(true);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = byId(jobId);
  const predictDone = jobs.filter((j) => j.kind === 'predict' && j.status === 'done').length;

  const summary = useCall(
    'predictions.summary',
    { runId: runId ?? '', split },
    `${runId}|${split}|${predictDone}`,
    !!runId,
  );
  const items = useCall(
    'predictions.queue',
    { runId: runId ?? '', split, queue, limit: QUEUE_LIMIT },
    `${runId}|${split}|${queue}|${predictDone}`,
    !!runId && !!summary.data,
  );
  const wells = useCall(
    'plates.wells',
    { experiment: experiment ?? '', plate: plate ?? 1, runId: runId ?? undefined },
    `${experiment}|${plate}|${runId}|${predictDone}|${catalogVersion}`,
    !!runId && experiment !== null && plate !== null,
  );
  const wellList = useMemo(() => wells.data?.wells ?? [], [wells.data]);
  // The dataset's review decisions in force, shown on the queue rows.
  const reviewed = useCall('review.list', { historyLimit: 0 }, String(catalogVersion));
  const decisions = useMemo(
    () => new Map((reviewed.data?.decisions ?? []).map((d) => [d.idCode, d])),
    [reviewed.data],
  );
  // Unlabelled test wells have no correctness: show what was predicted instead.
  const heat = useMemo(
    () => buildHeatmap(wellList, unlabelled ? 'predicted' : 'correct', 'categorical', 1),
    [wellList, unlabelled],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const onOpenWell = useCallback((w: PlateWell) => openWell(w.idCode), [openWell]);

  const run = async () => {
    if (!runId) return;
    const res = await call('predict.start', { runId, split, tta, assign, ...runChoices });
    if (res) setJobId(res.jobId);
  };
  const s = summary.data;

  // Show a plate that has predictions: when the chosen one has none, move to the first that does.
  const perPlate = s?.perPlate;
  useEffect(() => {
    if (!perPlate?.length) return;
    if (!perPlate.some((p) => p.experiment === experiment && p.plate === plate)) {
      selectPlate(perPlate[0].experiment, perPlate[0].plate, { replace: true });
    }
  }, [perPlate, experiment, plate, selectPlate]);

  return (
    <Stack gap="md" data-testid="screen-predictions">
      <Paper withBorder p="sm">
        <Group align="end" gap="md">
          <RunPicker clearable={false} />
          <SplitChoice value={split} onChange={setSplit} testId="predict-split" />
          <Switch
            label="TTA (8 flips/rotations)"
            checked={tta}
            onChange={(e) => setTta(e.currentTarget.checked)}
            data-testid="predict-tta"
          />
          <Switch
            label="Plate assignment"
            checked={assign}
            onChange={(e) => setAssign(e.currentTarget.checked)}
            data-testid="predict-assign"
          />
          <JobAction
            job={job}
            onClick={() => void run()}
            disabled={!runId}
            testId="predict-run"
            jobTestId="predict-job"
          >
            Run predictions
          </JobAction>
        </Group>
      </Paper>
      <EnsemblePanel split={split} tta={tta} assign={assign} />
      {!runId && (
        <Alert color="blue">
          No run chosen: train a model (Training screen) or make an ensemble of runs above.
        </Alert>
      )}
      {runId && !s && !summary.loading && (
        <Alert color="blue" data-testid="no-predictions">
          No {split} predictions of this run on the open dataset yet. Press “Run predictions”.
        </Alert>
      )}
      {s && (
        <>
          <Text size="sm" c="dimmed" data-testid="prediction-source">
            {s.source.label}
          </Text>
          <SetWarnings warnings={s.source.warnings} />
          {unlabelled && (
            <Alert color="gray" p="xs" data-testid="test-unlabelled">
              Test wells are unlabelled, so accuracy cannot be measured on this split. Shown
              instead: the predicted class and confidence of each well (plate below, queues).
            </Alert>
          )}
          {unlabelled ? (
            <SimpleGrid cols={3} data-testid="predict-summary">
              <Stat
                label={`treatment wells predicted (+${s.controlWells} controls)`}
                value={String(s.wells - s.controlWells)}
                testId="predict-wells"
              />
              <Stat
                label={`median confidence on ${experiment ?? '—'} plate ${plate ?? '—'}`}
                value={pct(medianConfidence(wellList))}
                testId="predict-confidence"
              />
              <Stat
                label={`predicted classes on ${experiment ?? '—'} plate ${plate ?? '—'}`}
                value={String(
                  new Set(
                    wellList.flatMap((w) =>
                      w.prediction ? [w.prediction.assigned ?? w.prediction.top] : [],
                    ),
                  ).size,
                )}
              />
            </SimpleGrid>
          ) : (
            <SimpleGrid cols={4} data-testid="predict-summary">
              <Stat label="wells" value={String(s.wells)} />
              <Stat label="well accuracy (raw)" value={pct(s.accuracy)} testId="predict-accuracy" />
              <Stat label="well accuracy (assigned)" value={pct(s.accuracyAssigned)} />
              <Stat
                label={`by cell type (${s.accuracyAssigned !== null ? 'assigned' : 'raw'})`}
                value={
                  s.perCellType.map((c) => `${c.cellType} ${pct(c.accuracy)}`).join(' · ') || '—'
                }
              />
            </SimpleGrid>
          )}
          {!unlabelled && describeUnscored(s.unscoredWells) && (
            <Text size="sm" c="dimmed" data-testid="predict-unscored">
              Accuracy leaves out {describeUnscored(s.unscoredWells)}.
            </Text>
          )}
          <Group align="start" gap="md" wrap="nowrap">
            <Paper withBorder p="sm" style={{ flex: 1 }}>
              <Title order={5} mb="xs">
                Per plate
              </Title>
              <ScrollArea.Autosize mah={260}>
                <Table data-testid="per-plate-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Experiment</Table.Th>
                      <Table.Th>Plate</Table.Th>
                      <Table.Th>Accuracy</Table.Th>
                      <Table.Th>Controls</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.perPlate.map((p) => (
                      <Table.Tr
                        key={`${p.experiment}-${p.plate}`}
                        onClick={() => selectPlate(p.experiment, p.plate)}
                        style={{ cursor: 'pointer' }}
                        bg={
                          p.experiment === experiment && p.plate === plate
                            ? 'var(--mantine-color-indigo-0)'
                            : undefined
                        }
                        data-testid="per-plate-row"
                      >
                        <Table.Td>{p.experiment}</Table.Td>
                        <Table.Td>{p.plate}</Table.Td>
                        <Table.Td>{unlabelled ? 'unlabelled' : pct(p.accuracy)}</Table.Td>
                        <Table.Td>{pct(p.controlsAccuracy)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
            </Paper>
            <Paper withBorder p="sm" w={320}>
              <Title order={5} mb="xs">
                Most confused pairs
              </Title>
              {s.confusedPairs.length === 0 && <Text c="dimmed">None.</Text>}
              <Table data-testid="confused-pairs">
                <Table.Tbody>
                  {s.confusedPairs.slice(0, 10).map((c) => (
                    <Table.Tr key={`${c.truth}-${c.predicted}`}>
                      <Table.Td>{c.truth}</Table.Td>
                      <Table.Td>→ {c.predicted}</Table.Td>
                      <Table.Td>{c.count}×</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          </Group>
          <Paper withBorder p="sm">
            <Tabs value={queue} onChange={(v) => v && setQueue(v as Queue)}>
              <Tabs.List>
                {!unlabelled && (
                  <Tabs.Tab value="confident-wrong" data-testid="queue-confident-wrong">
                    Confident but wrong
                  </Tabs.Tab>
                )}
                <Tabs.Tab value="least-confident" data-testid="queue-least-confident">
                  Least confident
                </Tabs.Tab>
                <Tabs.Tab value="sites-disagree" data-testid="queue-sites-disagree">
                  Sites disagree
                </Tabs.Tab>
              </Tabs.List>
            </Tabs>
            <ReviewQueue
              key={`${runId}|${split}|${queue}`}
              items={items.data ?? []}
              onOpen={openFromQueue}
              initial={route.idCode}
              decisions={decisions}
            />
          </Paper>
        </>
      )}
      {runId && (
        <Paper withBorder p="sm">
          <Title order={5} mb="xs">
            {unlabelled ? 'Predicted class on the plate' : 'Correctness on the plate'}
          </Title>
          <PlatePicker />
          <Stack gap="xs" mt="sm">
            {wells.data && (
              <PlateGrid
                wells={wellList}
                colors={heat.colors}
                values={heat.values}
                selected={selected}
                onSelect={setSelected}
                onOpen={onOpenWell}
              />
            )}
            <HeatmapLegend legend={heat.legend} />
          </Stack>
        </Paper>
      )}
      <ReviewDecisionsPanel />
    </Stack>
  );
}

/** Median predicted-class probability of the wells with one; null when none. */
function medianConfidence(wells: PlateWell[]): number | null {
  const p = wells
    .flatMap((w) => (w.prediction?.prob != null ? [w.prediction.prob] : []))
    .sort((a, b) => a - b);
  if (p.length === 0) return null;
  const m = Math.floor(p.length / 2);
  return p.length % 2 ? p[m] : (p[m - 1] + p[m]) / 2;
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="lg" fw={700} data-testid={testId}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Paper>
  );
}

type Item = CallOutput<'predictions.queue'>[number];

/**
 * A list stepped through with j/k or the arrow keys; Enter opens the well; the active well's
 * review decision is set with the buttons above the list.
 */
function ReviewQueue({
  items,
  onOpen,
  initial,
  decisions,
}: {
  items: Item[];
  onOpen: (idCode: string) => void;
  /** The well last opened: back from the viewer, the queue resumes at it. */
  initial: string | null;
  /** Review decisions in force by id_code. */
  decisions: Map<string, ReviewCurrent>;
}) {
  const [picked, setActive] = useState<number | null>(null);
  const start = items.findIndex((it) => it.idCode === initial);
  const active = picked ?? Math.max(0, start);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  // Clicking a queue tab leaves the focus on the tab, where j/k/Enter do nothing: move it to the
  // list once it has rows (only from a tab, never away from a field the user is typing in).
  const hasRows = items.length > 0;
  useEffect(() => {
    if (hasRows && document.activeElement?.getAttribute('role') === 'tab') ref.current?.focus();
  }, [hasRows]);
  if (items.length === 0)
    return (
      <Text c="dimmed" mt="sm">
        This queue is empty.
      </Text>
    );
  return (
    <div
      ref={ref}
      tabIndex={0}
      data-testid="review-queue"
      data-active={active}
      style={{ outline: 'none', maxHeight: 320, overflow: 'auto', marginTop: 8 }}
      onKeyDown={(e) => {
        // Typing a review note is not moving through the queue.
        if (isTextField(e.target)) return;
        if (e.key === 'j' || e.key === 'ArrowDown') {
          e.preventDefault();
          setActive(Math.min(items.length - 1, active + 1));
        } else if (e.key === 'k' || e.key === 'ArrowUp') {
          e.preventDefault();
          setActive(Math.max(0, active - 1));
        } else if (e.key === 'Enter') {
          e.preventDefault();
          onOpen(items[active].idCode);
        }
      }}
    >
      <Text size="xs" c="dimmed" mb={4}>
        j/k or ↓/↑ to move, Enter to open the well (
        {items.length >= QUEUE_LIMIT ? `the first ${QUEUE_LIMIT} wells` : `${items.length} wells`})
      </Text>
      {items[active] && (
        <Paper withBorder p="xs" mb={4} data-testid="queue-review">
          <Text size="xs" c="dimmed" mb={2}>
            {items[active].idCode}
          </Text>
          <ReviewActions
            idCode={items[active].idCode}
            current={decisions.get(items[active].idCode) ?? null}
          />
        </Paper>
      )}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Well</Table.Th>
            <Table.Th>Truth</Table.Th>
            <Table.Th>Predicted</Table.Th>
            <Table.Th>Confidence</Table.Th>
            <Table.Th>Sites</Table.Th>
            <Table.Th>Review</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((it, i) => (
            <Table.Tr
              key={it.idCode}
              className="queue-row"
              data-active={String(i === active)}
              data-index={i}
              data-testid="queue-item"
              data-idcode={it.idCode}
              onClick={() => setActive(i)}
              onDoubleClick={() => onOpen(it.idCode)}
              style={{ cursor: 'pointer' }}
            >
              <Table.Td style={{ fontFamily: 'monospace', fontSize: 12 }}>{it.idCode}</Table.Td>
              <Table.Td>{it.truth ?? '—'}</Table.Td>
              <Table.Td>{it.predicted}</Table.Td>
              <Table.Td>{pct(it.prob)}</Table.Td>
              <Table.Td>
                {it.sitesDisagree ? (
                  <Badge color="orange" size="sm">
                    disagree
                  </Badge>
                ) : (
                  'agree'
                )}
              </Table.Td>
              <Table.Td>
                <ReviewBadge decision={decisions.get(it.idCode)?.decision} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
