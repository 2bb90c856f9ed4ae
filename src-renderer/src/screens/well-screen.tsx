// Well viewer: both sites side by side or one at a time, synchronised zoom/pan, the shared channel
// display controls, the well's metadata, top-5 predictions of the current run (true class marked),
// broken and missing sites, and stepping through the review queue it was opened from (j/k).
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useState } from 'react';
import { ChannelControls } from '../components/channel-controls';
import { ReviewWellPanel } from '../components/review-actions';
import { RunPicker } from '../components/run-picker';
import { SaliencyPanel, type SaliencyOverlay } from '../components/saliency-panel';
import { SITE_PX, SiteView, type View } from '../components/site-view';
import { isTextField } from '../lib/keys';
import { percent } from '../lib/format';
import { resolveIdCode } from '../lib/well-id';
import { useApi, useCall } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { wellPlatePatch } from '../state/routes';

const HOME: View = { scale: 1, x: 0, y: 0 };
/** RxRx1 images every well at sites 1 and 2 (shared/guide/rxrx1.md). */
const EXPECTED_SITES = [1, 2];

export function WellScreen() {
  const { idCode, openWell, runId, display, route, update, catalogVersion } = useAppState();
  const [typed, setInput] = useState<{ text: string; for: string | null } | null>(null);
  // The box follows the open well until the user types (Back/Forward change the well too).
  const input = typed && typed.for === idCode ? typed.text : (idCode ?? '');
  const [inputError, setInputError] = useState<string | null>(null);
  const { client } = useApi();
  const summary = useCall('dataset.summary', {}, String(catalogVersion));
  const experiments = useMemo(
    () => [...new Set((summary.data?.plates ?? []).map((p) => p.experiment))],
    [summary.data],
  );
  const layout = route.layout;
  const site = route.site;
  const setLayout = (l: typeof layout) => update({ layout: l }, { replace: true });
  const setSite = (s: number) => update({ site: s }, { replace: true });
  const openTyped = async () => {
    if (!input.trim()) return;
    // Typed before the summary arrived: ask for the experiment names now rather than guessing.
    let names = experiments;
    if (names.length === 0) {
      const res = await client.call('dataset.summary', {});
      names = res.ok && res.data ? [...new Set(res.data.plates.map((p) => p.experiment))] : [];
    }
    const id = resolveIdCode(input, names);
    if (!id) {
      setInputError(
        `“${input.trim()}” is not a well of the open dataset: expected EXPERIMENT_PLATE_WELL, e.g. ${names[0] ?? 'HUVEC-01'}_1_B02`,
      );
      return;
    }
    setInputError(null);
    setInput(null);
    openWell(id);
  };
  const [viewState, setViewState] = useState<{ idCode: string | null; view: View }>({
    idCode,
    view: HOME,
  });
  const [debouncedDisplay] = useDebouncedValue(display, 150);
  const [saliency, setSaliency] = useState<SaliencyOverlay | null>(null);

  // A newly opened well starts unzoomed.
  const view = viewState.idCode === idCode ? viewState.view : HOME;
  const setView = (v: View) => setViewState({ idCode, view: v });

  const detail = useCall(
    'wells.detail',
    { idCode: idCode ?? '', runId: runId ?? undefined },
    `${idCode}|${runId}`,
    !!idCode,
  );
  const d = detail.data;
  const siteNumbers = useMemo(() => d?.sites.map((s) => s.site) ?? [1, 2], [d]);
  const missingSites = useMemo(
    () => (d ? EXPECTED_SITES.filter((s) => !siteNumbers.includes(s)) : []),
    [d, siteNumbers],
  );
  const shownSite = siteNumbers.includes(site) ? site : (siteNumbers[0] ?? 1);
  const shown = layout === 'side' ? siteNumbers : [shownSite];

  // The review queue this well was opened from: j/k step through it, "back" returns to it.
  const queue = useCall(
    'predictions.queue',
    { runId: runId ?? '', split: route.split, queue: route.queue, limit: 100 },
    `${runId}|${route.split}|${route.queue}`,
    route.fromQueue && !!runId,
  );
  const queueIds = useMemo(() => (queue.data ?? []).map((q) => q.idCode), [queue.data]);
  const queuePos = idCode ? queueIds.indexOf(idCode) : -1;
  const stepQueue = (delta: number) => {
    const next = queueIds[queuePos + delta];
    if (next) openWell(next, { fromQueue: true });
  };
  const backToQueue = () => update({ screen: 'predictions', fromQueue: false });

  // 's' switches site, j/k step through the queue: from anywhere on the screen but text fields.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTextField(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 's') {
        const i = siteNumbers.indexOf(shownSite);
        update(
          { layout: 'switch', site: siteNumbers[(i + 1) % siteNumbers.length] ?? 1 },
          { replace: true },
        );
      } else if (route.fromQueue && (e.key === 'j' || e.key === 'k')) {
        const next = queueIds[queuePos + (e.key === 'j' ? 1 : -1)];
        if (next) openWell(next, { fromQueue: true });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [siteNumbers, shownSite, update, route.fromQueue, queueIds, queuePos, openWell]);

  return (
    <Stack gap="md" data-testid="screen-well">
      <Paper withBorder p="sm">
        <Group align="end" justify="space-between">
          <Group align="end">
            <TextInput
              label="Well (id_code, any case)"
              placeholder="HUVEC-01_1_B02"
              value={input}
              onChange={(e) => setInput({ text: e.currentTarget.value, for: idCode })}
              onKeyDown={(e) => e.key === 'Enter' && void openTyped()}
              error={inputError}
              w={240}
              data-testid="well-idcode"
            />
            <Button variant="light" onClick={() => void openTyped()} data-testid="well-open">
              Open
            </Button>
            <Button
              variant="default"
              onClick={() => update({ ...wellPlatePatch(idCode), screen: 'plates' })}
              data-testid="back-to-plate"
            >
              Back to plate
            </Button>
            {route.fromQueue && (
              <Group gap="xs" data-testid="queue-nav" data-pos={queuePos}>
                <Button variant="default" onClick={backToQueue} data-testid="back-to-queue">
                  Back to the queue
                </Button>
                <Button
                  variant="default"
                  disabled={queuePos <= 0}
                  onClick={() => stepQueue(-1)}
                  data-testid="queue-prev"
                >
                  Previous (k)
                </Button>
                <Button
                  variant="light"
                  disabled={queuePos < 0 || queuePos + 1 >= queueIds.length}
                  onClick={() => stepQueue(1)}
                  data-testid="queue-next"
                >
                  Next in queue (j)
                </Button>
                <Text size="xs" c="dimmed">
                  {queuePos >= 0 ? `${queuePos + 1} of ${queueIds.length}` : 'not in the queue'}
                </Text>
              </Group>
            )}
          </Group>
          <RunPicker />
        </Group>
      </Paper>
      {!idCode && (
        <Alert color="blue">Open a well from the plate browser or type its id_code.</Alert>
      )}
      {detail.error && (
        <Alert color="red" data-testid="well-error">
          {detail.error.message}
        </Alert>
      )}
      {d && (
        <Group align="start" gap="md" wrap="nowrap">
          <Stack gap="sm">
            <Group>
              <Title order={4} data-testid="well-title">
                {d.well.idCode}
              </Title>
              {d.well.broken && (
                <Badge color="red" data-testid="well-broken">
                  broken
                </Badge>
              )}
              <SegmentedControl
                data={[
                  { value: 'side', label: 'Side by side' },
                  { value: 'switch', label: 'One site' },
                ]}
                value={layout}
                onChange={(v) => setLayout(v as typeof layout)}
                data-testid="site-layout"
              />
              {layout === 'switch' && (
                <SegmentedControl
                  data={siteNumbers.map((s) => ({ value: String(s), label: `Site ${s}` }))}
                  value={String(shownSite)}
                  onChange={(v) => setSite(Number(v))}
                  data-testid="site-switch"
                />
              )}
              <Text size="xs" c="dimmed">
                wheel zooms, drag pans, double-click resets, s switches site
              </Text>
            </Group>
            <Group align="start" gap="sm" wrap="nowrap">
              {shown.map((s) => (
                <SiteImage
                  key={s}
                  idCode={d.well.idCode}
                  site={s}
                  error={d.sites.find((x) => x.site === s)?.error ?? null}
                  imageWidth={d.sites.find((x) => x.site === s)?.width ?? null}
                  size={layout === 'side' ? 420 : 600}
                  view={view}
                  onView={setView}
                  displayKey={JSON.stringify(debouncedDisplay)}
                  overlay={saliency?.site === s ? saliency : null}
                />
              ))}
              {layout === 'side' &&
                missingSites.map((s) => (
                  <Paper
                    key={s}
                    withBorder
                    p="md"
                    w={200}
                    data-testid={`site-${s}-missing`}
                    style={{ alignSelf: 'center' }}
                  >
                    <Text size="sm" fw={600}>
                      Site {s} is missing
                    </Text>
                    <Text size="xs" c="dimmed">
                      No images of site {s} were found for this well on disk.
                    </Text>
                  </Paper>
                ))}
            </Group>
          </Stack>
          <Stack gap="sm" w={380} style={{ flexShrink: 0 }}>
            <Paper withBorder p="sm">
              <ChannelControls
                auto={{
                  idCode: d.well.idCode,
                  site: shown[0] ?? 1,
                  experiment: d.experiment,
                  plate: d.plate,
                }}
              />
            </Paper>
            <Paper withBorder p="sm" data-testid="well-meta">
              <Table>
                <Table.Tbody>
                  <Meta k="Experiment" v={`${d.experiment} (${d.cellType}, ${d.split})`} />
                  <Meta k="Plate · well" v={`${d.plate} · ${d.well.well}`} />
                  <Meta k="Type" v={d.well.wellType} />
                  <Meta k="siRNA" v={d.well.sirna ?? '—'} />
                  {d.sites.map((s) => (
                    <Meta
                      key={s.site}
                      k={`Site ${s.site}`}
                      v={
                        s.error
                          ? `broken: ${s.error}`
                          : `${s.channels.filter((c) => c.ok).length}/6 channels ok`
                      }
                    />
                  ))}
                  {missingSites.map((s) => (
                    <Meta key={`m${s}`} k={`Site ${s}`} v="missing (no images on disk)" />
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
            <ReviewWellPanel idCode={d.well.idCode} />
            <TopPredictions
              runId={runId}
              split={d.split}
              truth={d.well.sirna}
              top={d.topPredictions.slice(0, 5)}
            />
            <SaliencyPanel
              key={`${d.well.idCode}|${runId}`}
              runId={runId}
              idCode={d.well.idCode}
              sites={siteNumbers.filter((s) => !d.sites.find((x) => x.site === s)?.error)}
              top={d.topPredictions.slice(0, 5)}
              onOverlay={setSaliency}
            />
          </Stack>
        </Group>
      )}
    </Stack>
  );
}

function SiteImage(props: {
  idCode: string;
  site: number;
  error: string | null;
  size: number;
  imageWidth: number | null;
  view: View;
  onView: (v: View) => void;
  displayKey: string;
  overlay: SaliencyOverlay | null;
}) {
  const { display } = useAppState();
  const { media } = useApi();
  const img = useCall(
    'images.site',
    { idCode: props.idCode, site: props.site, display: display!, size: SITE_PX },
    `${props.idCode}|${props.site}|${props.displayKey}`,
    !props.error && display !== null,
  );
  return (
    <SiteView
      url={img.data ? media(img.data.url) : null}
      loading={img.loading}
      error={props.error ?? img.error?.message ?? null}
      label={`Site ${props.site}`}
      size={props.size}
      imageWidth={props.imageWidth}
      view={props.view}
      onView={props.onView}
      testId={`site-${props.site}`}
      overlay={props.overlay}
    />
  );
}

/** The run's top-5 for the well with the true class marked; test wells say they carry no label. */
function TopPredictions(props: {
  runId: string | null;
  split: string;
  truth: string | null;
  top: { label: string; prob: number }[];
}) {
  const { runId, split, truth, top } = props;
  if (!runId) return null;
  const truthRank = truth === null ? -1 : top.findIndex((p) => p.label === truth);
  return (
    <Paper withBorder p="sm" data-testid="top-predictions">
      <Text fw={600} size="sm" mb={4}>
        Top predictions ({runId})
      </Text>
      {top.length === 0 && (
        <Text size="sm" c="dimmed">
          No predictions of this run for this well yet (Predictions screen).
        </Text>
      )}
      {top.map((p) => {
        const isTruth = p.label === truth;
        return (
          <Group
            key={p.label}
            gap="xs"
            wrap="nowrap"
            data-testid="top-prediction"
            data-truth={isTruth}
          >
            <Text size="sm" w={90} fw={isTruth ? 700 : 400}>
              {p.label}
            </Text>
            <Progress
              value={p.prob * 100}
              style={{ flex: 1 }}
              color={isTruth ? 'green' : 'indigo'}
            />
            <Text size="xs" w={50} ta="right">
              {percent(p.prob)}
            </Text>
            {isTruth && (
              <Badge size="xs" color="green" data-testid="true-class">
                true class
              </Badge>
            )}
          </Group>
        );
      })}
      {top.length > 0 && (
        <Text size="xs" c="dimmed" mt={4} data-testid="truth-note">
          {truth === null
            ? split === 'test'
              ? 'Test wells are unlabelled: there is no true class to compare with.'
              : 'This well has no label.'
            : truthRank >= 0
              ? `True class ${truth} is number ${truthRank + 1} of the top 5.`
              : `True class ${truth} is not in the top 5.`}
        </Text>
      )}
    </Paper>
  );
}

function Meta({ k, v }: { k: string; v: string }) {
  return (
    <Table.Tr>
      <Table.Td c="dimmed" w={110}>
        {k}
      </Table.Td>
      <Table.Td>{v}</Table.Td>
    </Table.Tr>
  );
}
