// Per-channel display controls on the shared display state: toggle, colour, contrast range, gamma;
// auto-contrast from a site, the plate or the experiment's controls; apply one channel's contrast
// to all; reset to the rxrx1 default. Auto-contrast clips the 0.1 and 99.9 percentiles and each
// slider shows its range as numbers.
import {
  Button,
  Checkbox,
  ColorInput,
  Group,
  NumberInput,
  RangeSlider,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import type { DisplayState } from '../../../src-shared/contract';
import { hex, parseHex } from '../../../src-shared/colormaps';
import { applyToAllChannels, CHANNEL_STAINS } from '../../../src-shared/display-state';
import { useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';

/** Auto-contrast clips this low/high percentile of the pixel values. */
export const AUTO_PERCENTILES: [number, number] = [0.1, 99.9];

const CHANNEL_NAMES = CHANNEL_STAINS;

type Channel = DisplayState['channels'][number];

export interface AutoContext {
  idCode: string | null;
  site: number;
  experiment: string | null;
  plate: number | null;
}

export function ChannelControls({ auto }: { auto: AutoContext }) {
  const { display, setDisplay, resetDisplay } = useAppState();
  const call = useCaller();
  const [source, setSource] = useState<'site' | 'plate' | 'experiment-controls'>('site');
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  if (!display) return <Text c="dimmed">Loading display settings…</Text>;

  const update = (i: number, patch: Partial<Channel>) =>
    setDisplay({ channels: display.channels.map((c, j) => (j === i ? { ...c, ...patch } : c)) });

  const applyToAll = () => setDisplay(applyToAllChannels(display, active));

  const runAuto = async () => {
    setBusy(true);
    const res = await call('display.auto', {
      source,
      idCode: auto.idCode ?? undefined,
      site: auto.site,
      experiment: auto.experiment ?? undefined,
      plate: auto.plate ?? undefined,
      percentiles: AUTO_PERCENTILES,
      base: display,
    });
    setBusy(false);
    if (res) setDisplay(res);
  };

  return (
    <Stack gap="xs" data-testid="channel-controls">
      {display.channels.map((c, i) => (
        <Stack
          key={i}
          gap={2}
          p={6}
          style={{
            border: `1px solid ${i === active ? 'var(--mantine-color-indigo-4)' : 'var(--mantine-color-gray-3)'}`,
            borderRadius: 4,
          }}
          onFocusCapture={() => setActive(i)}
          onMouseDown={() => setActive(i)}
          data-testid={`channel-${i + 1}`}
        >
          <Group justify="space-between" wrap="nowrap">
            <Checkbox
              label={`w${i + 1} ${CHANNEL_NAMES[i]}`}
              checked={c.visible}
              onChange={(e) => update(i, { visible: e.currentTarget.checked })}
              color={hex(c.color)}
              data-testid={`channel-toggle-${i + 1}`}
            />
            <ColorInput
              size="xs"
              w={110}
              value={hex(c.color)}
              onChange={(v) => {
                const rgb = parseHex(v);
                if (rgb) update(i, { color: rgb });
              }}
              aria-label={`colour of channel ${i + 1}`}
              data-testid={`channel-color-${i + 1}`}
            />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <RangeSlider
              min={0}
              max={255}
              minRange={1}
              value={c.range}
              onChange={(v) => update(i, { range: v })}
              style={{ flex: 1 }}
              size="sm"
              label={(v) => String(v)}
              aria-label={`contrast range of channel ${i + 1}`}
              data-testid={`channel-range-${i + 1}`}
            />
            <Text
              size="xs"
              w={52}
              ta="right"
              style={{ fontVariantNumeric: 'tabular-nums' }}
              data-testid={`channel-range-text-${i + 1}`}
            >
              {c.range[0]}–{c.range[1]}
            </Text>
            <NumberInput
              size="xs"
              w={72}
              min={0.1}
              max={5}
              step={0.1}
              decimalScale={2}
              value={c.gamma}
              onChange={(v) =>
                typeof v === 'number' && v >= 0.1 && v <= 5 && update(i, { gamma: v })
              }
              aria-label={`gamma of channel ${i + 1}`}
              leftSection={<Text size="xs">γ</Text>}
              data-testid={`channel-gamma-${i + 1}`}
            />
          </Group>
        </Stack>
      ))}
      <Group gap="xs" align="end">
        <Select
          size="xs"
          label="Auto-contrast from"
          data={[
            { value: 'site', label: 'this site' },
            { value: 'plate', label: 'this plate' },
            { value: 'experiment-controls', label: 'experiment controls' },
          ]}
          value={source}
          onChange={(v) => v && setSource(v as typeof source)}
          w={170}
          data-testid="auto-source"
        />
        <Button
          size="xs"
          onClick={() => void runAuto()}
          loading={busy}
          title={`Clips the ${AUTO_PERCENTILES[0]} and ${AUTO_PERCENTILES[1]} % percentiles`}
          data-testid="auto-contrast"
        >
          Auto-contrast ({AUTO_PERCENTILES[0]}–{AUTO_PERCENTILES[1]} %)
        </Button>
      </Group>
      <Group gap="xs">
        <Button size="xs" variant="light" onClick={applyToAll} data-testid="apply-all">
          Apply w{active + 1} contrast to all
        </Button>
        <Button
          size="xs"
          variant="default"
          onClick={() => void resetDisplay()}
          data-testid="reset-display"
        >
          Reset to rxrx1 default
        </Button>
      </Group>
    </Stack>
  );
}
