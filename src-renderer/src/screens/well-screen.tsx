// Well viewer: both sites side by side or one at a time, synchronised zoom/pan, the shared channel
// display controls, the well's metadata, top-5 predictions of the current run, broken-site reasons.
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
import { RunPicker } from '../components/run-picker';
import { SiteView, type View } from '../components/site-view';
import { useApi, useCall } from '../state/api-context';
import { useAppState } from '../state/app-state';

const HOME: View = { scale: 1, x: 0, y: 0 };

export function WellScreen() {
  const { idCode, openWell, runId, display, setScreen } = useAppState();
  const [input, setInput] = useState(idCode ?? '');
  const [layout, setLayout] = useState<'side' | 'switch'>('side');
  const [site, setSite] = useState(1);
  const [viewState, setViewState] = useState<{ idCode: string | null; view: View }>({
    idCode,
    view: HOME,
  });
  const [debouncedDisplay] = useDebouncedValue(display, 150);

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
  const shown = layout === 'side' ? siteNumbers : [site];

  // 's' switches site (in switch layout), from anywhere on the screen but text fields.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea')) return;
      if (e.key === 's' && !e.ctrlKey && !e.metaKey && !e.altKey) {
        setLayout('switch');
        setSite((s) =>
          siteNumbers.indexOf(s) + 1 < siteNumbers.length
            ? siteNumbers[siteNumbers.indexOf(s) + 1]
            : siteNumbers[0],
        );
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [siteNumbers]);

  return (
    <Stack gap="md" data-testid="screen-well">
      <Paper withBorder p="sm">
        <Group align="end" justify="space-between">
          <Group align="end">
            <TextInput
              label="Well (id_code)"
              placeholder="HUVEC-01_1_B02"
              value={input}
              onChange={(e) => setInput(e.currentTarget.value)}
              onKeyDown={(e) => e.key === 'Enter' && input.trim() && openWell(input.trim())}
              w={240}
              data-testid="well-idcode"
            />
            <Button variant="light" onClick={() => input.trim() && openWell(input.trim())}>
              Open
            </Button>
            <Button
              variant="default"
              onClick={() => setScreen('plates')}
              data-testid="back-to-plate"
            >
              Back to plate
            </Button>
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
                  value={String(site)}
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
                  size={layout === 'side' ? 420 : 600}
                  view={view}
                  onView={setView}
                  displayKey={JSON.stringify(debouncedDisplay)}
                />
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
                </Table.Tbody>
              </Table>
            </Paper>
            {d.topPredictions.length > 0 && (
              <Paper withBorder p="sm" data-testid="top-predictions">
                <Text fw={600} size="sm" mb={4}>
                  Top predictions {runId ? `(${runId})` : ''}
                </Text>
                {d.topPredictions.slice(0, 5).map((p) => (
                  <Group key={p.label} gap="xs" wrap="nowrap">
                    <Text size="sm" w={90} fw={p.label === d.well.sirna ? 700 : 400}>
                      {p.label}
                    </Text>
                    <Progress
                      value={p.prob * 100}
                      style={{ flex: 1 }}
                      color={p.label === d.well.sirna ? 'green' : 'indigo'}
                    />
                    <Text size="xs" w={50} ta="right">
                      {(p.prob * 100).toFixed(1)}%
                    </Text>
                  </Group>
                ))}
              </Paper>
            )}
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
  view: View;
  onView: (v: View) => void;
  displayKey: string;
}) {
  const { display } = useAppState();
  const { media } = useApi();
  const img = useCall(
    'images.site',
    { idCode: props.idCode, site: props.site, display: display!, size: 512 },
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
      view={props.view}
      onView={props.onView}
      testId={`site-${props.site}`}
    />
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
