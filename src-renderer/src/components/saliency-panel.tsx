// The well viewer's Saliency panel (issue 14): which pixels and stains drove the run's logit for a
// class (predicted or one of the top 5) on one site. Computes through saliency.get (a job in the
// prediction child, with progress), then hands the heat overlay (one stain, or summed over the
// visible channels) and its opacity to the site view, and shows each stain's share as a bar.
import { Alert, Button, Group, Paper, Progress, Select, Slider, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { CallOutput, ErrorInfo } from '../../../src-shared/contract';
import { useApi } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { isActive, useJobs } from '../state/jobs-context';
import { percent } from '../lib/format';

type Ready = Extract<CallOutput<'saliency.get'>, { status: 'ready' }>;
type Method = Ready['method'];

/** What the site view draws over one site. */
export interface SaliencyOverlay {
  site: number;
  url: string;
  opacity: number;
}

/** The class picker's value for "the well's predicted class" (the server picks it). */
const PREDICTED = '__predicted__';

const METHODS: { value: Method; label: string }[] = [
  { value: 'integrated-gradients', label: 'Integrated gradients (16 steps)' },
  { value: 'gradient-x-input', label: 'Gradient × input (1 step)' },
];

export function SaliencyPanel(props: {
  runId: string | null;
  idCode: string;
  sites: number[];
  top: { label: string; prob: number }[];
  onOverlay: (o: SaliencyOverlay | null) => void;
}) {
  const { runId, idCode, sites, top, onOverlay } = props;
  const { client, media } = useApi();
  const { display } = useAppState();
  const { byId } = useJobs();
  const [site, setSite] = useState(sites[0] ?? 1);
  const [sirna, setSirna] = useState<string | null>(null);
  const [method, setMethod] = useState<Method>('integrated-gradients');
  const [show, setShow] = useState<string>('sum');
  const [opacity, setOpacity] = useState(0.7);
  const [jobId, setJobId] = useState<string | null>(null);
  const [ready, setReady] = useState<Ready | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [asked, setAsked] = useState(false);
  const job = byId(jobId);
  const visible = (display?.channels ?? [])
    .map((c, i) => (c.visible ? i + 1 : 0))
    .filter((c) => c > 0);
  const visibleKey = visible.join(',');
  const request = `${runId}|${idCode}|${site}|${sirna}|${method}`;

  // A new well, run, site, class or method clears the panel until asked again.
  const [shownFor, setShownFor] = useState(request);
  if (shownFor !== request) {
    setShownFor(request);
    setReady(null);
    setError(null);
    setJobId(null);
    setAsked(false);
  }

  const fetchMap = async () => {
    if (!runId) return;
    setError(null);
    const res = await client.call('saliency.get', {
      runId,
      idCode,
      site,
      sirna: sirna ?? undefined,
      method,
      channels: visible.length ? visible : undefined,
    });
    if (!res.ok) {
      setError(res.error);
      setReady(null);
    } else if (res.data.status === 'computing') setJobId(res.data.jobId);
    else {
      setJobId(null);
      setReady(res.data);
    }
  };

  // The job finished: read the map (now cached); a failed job shows its reason.
  const jobStatus = job?.status;
  useEffect(() => {
    if (!jobId || !jobStatus || isActive(job)) return;
    if (jobStatus === 'done') void fetchMap();
    else {
      setError(job?.error ?? { code: 'CANCELLED', message: `saliency ${jobStatus}` });
      setJobId(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobId, jobStatus]);

  // Visible channels changed: the summed overlay follows them (a cache hit, no recompute).
  useEffect(() => {
    if (ready) void fetchMap();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [visibleKey]);

  const overlayUrl = ready
    ? show === 'sum'
      ? ready.summed.url
      : (ready.channels.find((c) => String(c.channel) === show)?.url ?? null)
    : null;
  useEffect(() => {
    onOverlay(overlayUrl ? { site, url: media(overlayUrl), opacity } : null);
  }, [overlayUrl, site, opacity, media, onOverlay]);
  useEffect(() => () => onOverlay(null), [onOverlay]);

  if (!runId) return null;
  return (
    <Paper withBorder p="sm" data-testid="saliency-panel">
      <Text fw={600} size="sm" mb={4}>
        Saliency ({runId})
      </Text>
      {top.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="saliency-no-prediction">
          This well has no prediction of run {runId}: predict its split first (Predictions screen),
          then explain the predicted class here.
        </Text>
      ) : (
        <Stack gap="xs">
          <Group gap="xs" grow>
            <Select
              label="Class"
              size="xs"
              data={[
                { value: PREDICTED, label: 'Predicted class' },
                ...top.map((p) => ({ value: p.label, label: `${p.label} · ${percent(p.prob)}` })),
              ]}
              value={sirna ?? PREDICTED}
              onChange={(v) => setSirna(!v || v === PREDICTED ? null : v)}
              allowDeselect={false}
              data-testid="saliency-class"
            />
            <Select
              label="Site"
              size="xs"
              data={sites.map((s) => ({ value: String(s), label: `Site ${s}` }))}
              value={String(site)}
              onChange={(v) => v && setSite(Number(v))}
              allowDeselect={false}
              data-testid="saliency-site"
            />
          </Group>
          <Select
            label="Method"
            size="xs"
            data={METHODS}
            value={method}
            onChange={(v) => v && setMethod(v as Method)}
            allowDeselect={false}
            data-testid="saliency-method"
          />
          <Group gap="xs">
            <Button
              size="xs"
              onClick={() => {
                setAsked(true);
                void fetchMap();
              }}
              loading={isActive(job)}
              disabled={isActive(job)}
              data-testid="saliency-run"
            >
              {ready ? 'Refresh' : 'Explain'}
            </Button>
            {job && isActive(job) && (
              <Button
                size="xs"
                variant="default"
                onClick={() => void client.call('jobs.cancel', { jobId: job.id })}
                data-testid="saliency-cancel"
              >
                Cancel
              </Button>
            )}
          </Group>
          {job && isActive(job) && (
            <Stack gap={2} data-testid="saliency-progress">
              <Progress value={job.progress * 100} size="sm" />
              <Text size="xs" c="dimmed">
                {job.message}
              </Text>
            </Stack>
          )}
          {error && (
            <Alert color="red" p="xs" data-testid="saliency-error">
              {error.message}
            </Alert>
          )}
          {!ready && !error && !job && !asked && (
            <Text size="xs" c="dimmed">
              Shows which pixels of each stain raised this class’s logit. Computed once per site,
              class and checkpoint (seconds), then cached with the run.
            </Text>
          )}
          {ready && (
            <SaliencyResult
              ready={ready}
              show={show}
              setShow={setShow}
              opacity={opacity}
              setOpacity={setOpacity}
            />
          )}
        </Stack>
      )}
    </Paper>
  );
}

function SaliencyResult(props: {
  ready: Ready;
  show: string;
  setShow: (v: string) => void;
  opacity: number;
  setOpacity: (v: number) => void;
}) {
  const { ready, show, setShow, opacity, setOpacity } = props;
  return (
    <Stack gap="xs" data-testid="saliency-result" data-class={ready.classLabel}>
      <Group gap="xs" grow align="end">
        <Select
          label="Overlay"
          size="xs"
          data={[
            {
              value: 'sum',
              label: `Sum of visible channels (${ready.summed.channels.join(', ')})`,
            },
            ...ready.channels.map((c) => ({
              value: String(c.channel),
              label: `w${c.channel} ${c.stain}`,
            })),
          ]}
          value={show}
          onChange={(v) => v && setShow(v)}
          allowDeselect={false}
          data-testid="saliency-overlay-choice"
        />
        <Stack gap={2}>
          <Text size="xs">Opacity</Text>
          <Slider
            min={0}
            max={1}
            step={0.05}
            value={opacity}
            onChange={setOpacity}
            label={(v) => `${Math.round(v * 100)}%`}
            data-testid="saliency-opacity"
          />
        </Stack>
      </Group>
      <Text size="xs" fw={600}>
        Share of the attribution by stain
      </Text>
      {ready.channels.map((c) => (
        <Group
          key={c.channel}
          gap="xs"
          wrap="nowrap"
          data-testid="saliency-share"
          data-share={c.share}
        >
          <Text size="xs" w={110}>
            w{c.channel} {c.stain}
          </Text>
          <Progress value={c.share * 100} style={{ flex: 1 }} color="orange" />
          <Text size="xs" w={44} ta="right">
            {percent(c.share)}
          </Text>
        </Group>
      ))}
      <Text size="xs" c="dimmed" data-testid="saliency-completeness">
        {ready.method === 'integrated-gradients'
          ? `Integrated gradients, ${ready.steps} steps from a zero image: the attributions add up to the logit change within ${(ready.completenessGap * 100).toFixed(1)}%.`
          : 'Gradient × input (one step): fast, but its attributions need not add up to the logit.'}{' '}
        Class {ready.classLabel}
        {ready.classLabel === ready.predictedLabel
          ? ready.predictedByAssignment
            ? ' (predicted, after plate-group assignment)'
            : ' (predicted)'
          : ''}
        , checkpoint {ready.checkpoint.path}
        {ready.checkpoint.epoch !== null ? ` (epoch ${ready.checkpoint.epoch})` : ''}.
      </Text>
      {ready.checkpointDiffers && (
        <Alert color="yellow" p="xs" data-testid="saliency-checkpoint-differs">
          The run’s weights changed since this well was predicted: the map explains the current
          weights, whose prediction may differ.
        </Alert>
      )}
      {ready.warnings.map((w) => (
        <Alert key={w} color="yellow" p="xs" data-testid="saliency-warning">
          {w}
        </Alert>
      ))}
    </Stack>
  );
}
