// The Predictions screen's ensemble choice: several runs or a sweep's done runs, their well
// probabilities averaged (equally or by validation accuracy) by predict.ensemble as a 'predict' job;
// when it is done the ensemble becomes the current run, shown like any other prediction set.
import { Group, MultiSelect, Paper, Select } from '@mantine/core';
import { Choice } from './choice';
import { JobAction } from './job-action';
import { useState } from 'react';
import type { PredictionSplit } from '../../../src-shared/contract';
import { useCall, useCaller, useEvent } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { isActive, useJobs } from '../state/jobs-context';

const WEIGHTINGS = [
  { value: 'equal', label: 'Equal weights' },
  { value: 'val-accuracy', label: 'By validation accuracy' },
] as const;

export function EnsemblePanel({
  split,
  tta,
  assign,
}: {
  split: PredictionSplit;
  tta: boolean;
  assign: boolean;
}) {
  const call = useCaller();
  const { setRunId, runChoices, catalogVersion } = useAppState();
  const { jobs, byId } = useJobs();
  const [source, setSource] = useState<'runs' | 'sweep'>('sweep');
  const [runIds, setRunIds] = useState<string[]>([]);
  const [sweep, setSweep] = useState<string | null>(null);
  const [weighting, setWeighting] = useState<'equal' | 'val-accuracy'>('equal');
  const [started, setStarted] = useState<{ jobId: string; runId: string } | null>(null);
  const job = byId(started?.jobId);
  const doneKey = jobs.filter((j) => !isActive(j)).length;
  const runs = useCall('runs.list', {}, `${doneKey}|${catalogVersion}`, source === 'runs');
  const sweeps = useCall('sweeps.list', {}, `${doneKey}|${catalogVersion}`, source === 'sweep');

  // The finished ensemble becomes the run the screen shows.
  useEvent('job:update', (j) => {
    if (started && j.id === started.jobId && j.status === 'done') {
      setRunId(started.runId);
      setStarted(null);
    }
  });

  // What can be picked: done runs (not ensembles themselves), or sweeps with their done counts.
  const members = {
    w: 340,
    'data-testid': `ensemble-${source}`,
    data:
      source === 'runs'
        ? (runs.data ?? [])
            .filter((r) => r.status === 'done' && r.backend !== 'ensemble')
            .map((r) => r.runId)
        : (sweeps.data ?? []).map((s) => ({
            value: s.name,
            label: `${s.name} · ${s.runs.filter((r) => r.state === 'done').length}/${s.runs.length} done`,
          })),
  };
  const ready = source === 'runs' ? runIds.length >= 2 : sweep !== null;
  const start = async () => {
    const res = await call('predict.ensemble', {
      ...(source === 'runs' ? { runIds } : { sweep: sweep! }),
      split,
      tta,
      assign,
      weighting,
      ...runChoices,
    });
    if (res) setStarted(res);
  };

  return (
    <Paper withBorder p="sm" data-testid="ensemble-panel">
      <Group align="end" gap="md">
        <Choice
          label="Ensemble of"
          options={[
            { value: 'sweep', label: 'A sweep' },
            { value: 'runs', label: 'Runs' },
          ]}
          value={source}
          onChange={setSource}
          testId="ensemble-source"
        />
        {source === 'runs' ? (
          <MultiSelect {...members} label="Runs (2 or more)" value={runIds} onChange={setRunIds} />
        ) : (
          <Select {...members} label="Sweep (its done runs)" value={sweep} onChange={setSweep} />
        )}
        <Choice
          label="Weights"
          options={WEIGHTINGS}
          value={weighting}
          onChange={setWeighting}
          testId="ensemble-weights"
        />
        <JobAction
          job={job}
          onClick={() => void start()}
          disabled={!ready}
          testId="ensemble-run"
          jobTestId="ensemble-job"
        >
          Run ensemble
        </JobAction>
      </Group>
    </Paper>
  );
}
