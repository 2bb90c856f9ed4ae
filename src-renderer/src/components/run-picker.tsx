// Picks a training run (the shared current run) from runs.list: the open dataset's runs with their
// status, newest completed one by default; runs of other datasets only behind an explicit toggle
// (with a warning when one is chosen), and an incomplete run only with an explicit checkbox.
import { Alert, Checkbox, Group, Select, Stack } from '@mantine/core';
import { useEffect, useMemo } from 'react';
import type { RunSummary } from '../../../src-shared/contract';
import { autoRun, isForeignRun } from '../lib/run-default';
import { useCall } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { useJobs } from '../state/jobs-context';

function datasetName(r: RunSummary): string {
  return r.dataset ? `${r.dataset.name} (${r.dataset.id.slice(0, 8)})` : 'an unknown dataset';
}

export function RunPicker({
  label = 'Run',
  clearable = true,
}: {
  label?: string;
  clearable?: boolean;
}) {
  const { runId, setRunId, runChoices, setRunChoices, runCleared, setRunCleared, catalogVersion } =
    useAppState();
  const { jobs } = useJobs();
  // Training and ensembles (a 'predict' job that writes a run folder) add runs when they end.
  const doneTrain = jobs.filter(
    (j) => (j.kind === 'train' || j.kind === 'predict') && j.status !== 'running',
  ).length;
  const runs = useCall(
    'runs.list',
    { allDatasets: runChoices.allowOtherDataset },
    `${doneTrain}|${catalogVersion}|${runChoices.allowOtherDataset}`,
  );
  const list = useMemo(() => runs.data ?? [], [runs.data]);
  const loaded = runs.data !== null && !runs.loading;
  useEffect(() => {
    if (!loaded) return;
    // Automatic choices replace the URL entry (Back goes to the user's last choice, not to them).
    const next = autoRun(list, runId, { clearable, cleared: runCleared });
    if (next !== undefined && next !== runId) setRunId(next, { replace: true });
  }, [loaded, clearable, runId, list, setRunId, runCleared]);
  const selected = list.find((r) => r.runId === runId) ?? null;
  return (
    <Stack gap={4}>
      <Group align="end">
        <Select
          label={label}
          placeholder={list.length ? 'No run' : 'No runs of this dataset yet'}
          clearable={clearable}
          data={list.map((r) => ({
            value: r.runId,
            label: `${r.runId} · ${r.status}${r.bestValAccuracy !== null ? `, best val ${(r.bestValAccuracy * 100).toFixed(1)}% (sites, in training)` : ''}${isForeignRun(r) ? ` · trained on ${datasetName(r)}` : r.dataset ? '' : ' · dataset not recorded'}`,
          }))}
          value={runId}
          // Clicking the chosen run again keeps it (Mantine would deselect it, and the picker
          // would then silently fall back to the default run); the clear button clears.
          allowDeselect={false}
          onChange={(v) => {
            setRunId(v);
            setRunCleared(v === null);
          }}
          w={420}
          data-testid="pick-run"
          data-status={selected?.status ?? ''}
        />
        <Checkbox
          label="Show runs of other datasets"
          checked={runChoices.allowOtherDataset}
          onChange={(e) =>
            setRunChoices({ ...runChoices, allowOtherDataset: e.currentTarget.checked })
          }
          data-testid="runs-all-datasets"
        />
      </Group>
      {selected && isForeignRun(selected) && (
        <Alert color="yellow" p="xs" data-testid="run-foreign-warning">
          {selected.runId} was trained on {datasetName(selected)}, not on the open dataset: its
          predictions here apply that model to other plates.
        </Alert>
      )}
      {selected && selected.status !== 'done' && (
        <Checkbox
          color="orange"
          label={`Use this incomplete run (${selected.status}, ${selected.epochsDone} epoch(s) done): its newest weights, not a finished model`}
          checked={runChoices.allowIncomplete}
          onChange={(e) =>
            setRunChoices({ ...runChoices, allowIncomplete: e.currentTarget.checked })
          }
          data-testid="allow-incomplete"
        />
      )}
    </Stack>
  );
}
