// Legend for a plate heatmap: colour swatches for categories or a gradient bar for a value range.
import { Group, Stack, Text } from '@mantine/core';
import { continuousColor, css } from '../lib/colormaps';
import type { Legend } from '../lib/well-metrics';

export function HeatmapLegend({ legend }: { legend: Legend }) {
  if (legend.kind === 'categories') {
    return (
      <Group gap="xs" data-testid="heatmap-legend">
        {legend.items.map((it) => (
          <Group key={it.label} gap={4} wrap="nowrap">
            <span
              style={{
                width: 12,
                height: 12,
                borderRadius: 2,
                background: css(it.color),
                display: 'inline-block',
              }}
            />
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
      </Group>
    );
  }
  const stops = Array.from(
    { length: 11 },
    (_, i) => `${css(continuousColor(legend.map, i / 10))} ${i * 10}%`,
  );
  return (
    <Stack gap={2} data-testid="heatmap-legend" w={260}>
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
  );
}
