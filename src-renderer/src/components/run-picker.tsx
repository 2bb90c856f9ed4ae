// Picks a training run (the shared current run) from runs.list, newest first.
import { Select } from '@mantine/core';
import { useEffect, useMemo } from 'react';
import { useCall } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { useJobs } from '../state/jobs-context';

export function RunPicker({
  label = 'Run',
  clearable = true,
}: {
  label?: string;
  clearable?: boolean;
}) {
  const { runId, setRunId } = useAppState();
  const { jobs } = useJobs();
  const doneTrain = jobs.filter((j) => j.kind === 'train' && j.status !== 'running').length;
  const runs = useCall('runs.list', {}, String(doneTrain));
  const list = useMemo(() => runs.data ?? [], [runs.data]);
  useEffect(() => {
    if (!clearable && !runId && list.length) setRunId(list[0].runId);
  }, [clearable, runId, list, setRunId]);
  return (
    <Select
      label={label}
      placeholder={list.length ? 'No run' : 'No runs yet'}
      clearable={clearable}
      data={list.map((r) => ({
        value: r.runId,
        label: `${r.runId} (${r.status}${r.bestValAccuracy !== null ? `, val ${(r.bestValAccuracy * 100).toFixed(1)}%` : ''})`,
      }))}
      value={runId}
      onChange={setRunId}
      w={400}
      data-testid="pick-run"
    />
  );
}
