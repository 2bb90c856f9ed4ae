// The global job indicator: a header button showing how many jobs run, opening a drawer that lists
// jobs with progress bars, messages and cancel buttons.
import { Badge, Button, Drawer, Group, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Job } from '../../../src-shared/contract';
import { useCaller } from '../state/api-context';
import { isActive, useJobs } from '../state/jobs-context';

const STATUS_COLOR: Record<Job['status'], string> = {
  queued: 'gray',
  running: 'blue',
  done: 'green',
  failed: 'red',
  cancelled: 'yellow',
};

export function JobsIndicator() {
  const { jobs } = useJobs();
  const [open, setOpen] = useState(false);
  const running = jobs.filter(isActive);
  return (
    <>
      <Button
        size="xs"
        variant={running.length ? 'filled' : 'default'}
        onClick={() => setOpen(true)}
        data-testid="jobs-button"
        loading={false}
      >
        Jobs{' '}
        <Badge ml={6} size="sm" variant="white" data-testid="jobs-running-count">
          {running.length}
        </Badge>
      </Button>
      <Drawer opened={open} onClose={() => setOpen(false)} title="Jobs" position="right" size="lg">
        <Stack gap="sm" data-testid="jobs-drawer">
          {jobs.length === 0 && <Text c="dimmed">No jobs yet.</Text>}
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} />
          ))}
        </Stack>
      </Drawer>
    </>
  );
}

export function JobRow({ job }: { job: Job }) {
  const call = useCaller();
  return (
    <Stack gap={4} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
      <Group justify="space-between" wrap="nowrap" align="start">
        {/* Names wrap rather than being cut; the badge and Cancel never shrink. */}
        <Text size="sm" fw={600} style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
          {job.title}
        </Text>
        <Group gap={6} wrap="nowrap" style={{ flexShrink: 0 }}>
          <Badge
            size="sm"
            color={STATUS_COLOR[job.status]}
            style={{ flexShrink: 0, overflow: 'visible' }}
            styles={{ label: { overflow: 'visible', textOverflow: 'clip' } }}
            data-testid="job-status"
          >
            {job.status}
          </Badge>
          {isActive(job) && (
            <Button
              size="compact-xs"
              color="red"
              variant="light"
              onClick={() => void call('jobs.cancel', { jobId: job.id })}
              data-testid="job-cancel"
            >
              Cancel
            </Button>
          )}
        </Group>
      </Group>
      <Progress
        value={job.progress * 100}
        animated={isActive(job)}
        color={STATUS_COLOR[job.status]}
      />
      <Text
        size="xs"
        c={job.status === 'failed' ? 'red' : 'dimmed'}
        style={{ overflowWrap: 'anywhere' }}
      >
        {job.status === 'failed' ? (job.error?.message ?? job.message) : job.message}
      </Text>
    </Stack>
  );
}
