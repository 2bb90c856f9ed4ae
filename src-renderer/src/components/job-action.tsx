// A button that starts a job, busy while the job runs, with the job's status, progress and message.
import { Button, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Job } from '../../../src-shared/contract';
import { isActive } from '../state/jobs-context';

export function JobAction({
  job,
  onClick,
  disabled,
  loading,
  testId,
  jobTestId,
  children,
}: {
  job: Job | undefined;
  onClick: () => void;
  disabled: boolean;
  /** Busy before the job exists (the call that starts it is under way). */
  loading?: boolean;
  testId: string;
  jobTestId: string;
  children: ReactNode;
}) {
  return (
    <>
      <Button
        onClick={onClick}
        disabled={disabled || isActive(job)}
        loading={loading || isActive(job)}
        data-testid={testId}
      >
        {children}
      </Button>
      {job && (
        <Text size="sm" c="dimmed" data-testid={jobTestId}>
          {job.status} · {Math.round(job.progress * 100)}% · {job.message}
        </Text>
      )}
    </>
  );
}
