// Legend for a plate heatmap: colour swatches for categories or a gradient bar for a value range,
// plus how many wells have no value (drawn plain).
import { Group, Stack, Text } from '@mantine/core';
import type { CSSProperties } from 'react';
import { continuousColor, css } from '../../../src-shared/colormaps';
import type { Legend } from '../lib/well-metrics';

const swatch: CSSProperties = { width: 12, height: 12, borderRadius: 2, display: 'inline-block' };

function Missing({ n }: { n?: number }) {
  if (!n) return null;
  return (
    <Group gap={4} wrap="nowrap" data-testid="legend-missing">
      <span
        style={{
          ...swatch,
          background: 'var(--mantine-color-gray-1)',
          border: '1px solid var(--mantine-color-gray-4)',
        }}
      />
      <Text size="xs" c="dimmed">
        {n} well{n === 1 ? '' : 's'} without a value
      </Text>
    </Group>
  );
}

export function HeatmapLegend({ legend }: { legend: Legend }) {
  if (legend.kind === 'categories') {
    return (
      <Group gap="xs" data-testid="heatmap-legend">
        {legend.items.map((it) => (
          <Group key={it.label} gap={4} wrap="nowrap">
            <span style={{ ...swatch, background: css(it.color) }} />
            <Text size="xs">{it.label}</Text>
          </Group>
        ))}
        {legend.more > 0 && (
          <Text size="xs" c="dimmed">
            +{legend.more} more
          </Text>
        )}
        {legend.items.length === 0 && (
          <Text size="xs" c="dimmed">
            no values on this plate
          </Text>
        )}
        <Missing n={legend.missing} />
      </Group>
    );
  }
  const stops = Array.from(
    { length: 11 },
    (_, i) => `${css(continuousColor(legend.map, i / 10))} ${i * 10}%`,
  );
  return (
    <Group gap="md" data-testid="heatmap-legend">
      <Stack gap={2} w={260}>
        <div
          style={{
            height: 12,
            borderRadius: 2,
            background: `linear-gradient(to right, ${stops.join(', ')})`,
          }}
        />
        <Group justify="space-between">
          <Text size="xs">{legend.min.toFixed(2)}</Text>
          <Text size="xs" c="dimmed">
            {legend.label}
          </Text>
          <Text size="xs">{legend.max.toFixed(2)}</Text>
        </Group>
      </Stack>
      <Missing n={legend.missing} />
    </Group>
  );
}
