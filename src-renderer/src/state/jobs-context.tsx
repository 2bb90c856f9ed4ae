// Live job list: loaded from jobs.list, kept current by job:update events; tells the user when a
// job fails (readable message) and lets screens wait for the job they started.
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Job } from '../../../src-shared/contract';
import { useApi, useEvent } from './api-context';
import { useEventStreamOpens } from './connection';
import { notify } from './notify';

interface JobsState {
  jobs: Job[];
  byId: (id: string | null | undefined) => Job | undefined;
}

const JobsContext = createContext<JobsState>({ jobs: [], byId: () => undefined });

export function JobsProvider({ children }: { children: ReactNode }) {
  const { client } = useApi();
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());

  // Load the list at start and again each time the event socket opens (updates sent before were
  // missed).
  const opens = useEventStreamOpens();
  useEffect(() => {
    void client.call('jobs.list', {}).then((res) => {
      if (res.ok) setJobs(new Map(res.data.map((j) => [j.id, j])));
    });
  }, [client, opens]);

  useEvent('job:update', (job) => {
    setJobs((prev) => {
      const before = prev.get(job.id);
      const next = new Map(prev);
      next.set(job.id, job);
      if (before?.status !== job.status) {
        if (job.status === 'failed') {
          notify(
            {
              color: 'red',
              title: `${job.title} failed`,
              message: job.error?.message ?? job.message,
            },
            10000,
          );
        } else if (job.status === 'done') {
          notify({ color: 'green', title: `${job.title} finished`, message: job.message }, 4000);
        }
      }
      return next;
    });
  });

  const value = useMemo<JobsState>(() => {
    const list = [...jobs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return { jobs: list, byId: (id) => (id ? jobs.get(id) : undefined) };
  }, [jobs]);
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

export function useJobs(): JobsState {
  return useContext(JobsContext);
}

export function isActive(job: Job | undefined): boolean {
  return !!job && (job.status === 'queued' || job.status === 'running');
}
