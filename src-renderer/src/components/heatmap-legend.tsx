// Legend for a plate heatmap: colour swatches for categories or a gradient bar for a value range
// (label and units), plus the plain looks: wells without a value, wells without images (dashed),
// positions without a well, and "N of 308 wells have images" — the same keys as the exported figure.
import { Group, Stack, Text } from '@mantine/core';
import type { CSSProperties } from 'react';
import { DISTINCT_CATEGORIES, continuousColor, css } from '../../../src-shared/colormaps';
import {
  coverageText,
  EMPTY_STRIPES,
  NO_IMAGES_STROKE,
  NO_VALUE,
  type Legend,
} from '../../../src-shared/plate-heatmap';

const swatch: CSSProperties = { width: 12, height: 12, borderRadius: 2, display: 'inline-block' };
const [stripeA, stripeB] = EMPTY_STRIPES.map(css);

/**
 * The keys every plate view needs, thumbnails included: the dashed outline of a well without
 * images and the stripes of a position without a well (plate-grid.tsx draws both).
 */
export function PlainKeys() {
  return (
    <>
      <Group gap={4} wrap="nowrap" data-testid="key-no-images">
        <span
          style={{
            ...swatch,
            boxSizing: 'border-box',
            border: `2px dashed ${css(NO_IMAGES_STROKE)}`,
          }}
        />
        <Text size="xs" c="dimmed">
          no images
        </Text>
      </Group>
      <Group gap={4} wrap="nowrap">
        <span
          style={{
            ...swatch,
            background: `repeating-linear-gradient(45deg, ${stripeA}, ${stripeA} 3px, ${stripeB} 3px, ${stripeB} 6px)`,
          }}
        />
        <Text size="xs" c="dimmed">
          no well at this position
        </Text>
      </Group>
    </>
  );
}

function Keys({ legend, note }: { legend: Legend; note?: string | null }) {
  return (
    <Stack gap={2}>
      <Group gap="sm" data-testid="legend-keys">
        {legend.missing > 0 && (
          <Group gap={4} wrap="nowrap" data-testid="legend-missing">
            <span style={{ ...swatch, background: css(NO_VALUE) }} />
            <Text size="xs" c="dimmed">
              {legend.missing} well{legend.missing === 1 ? '' : 's'} without a value
            </Text>
          </Group>
        )}
        <PlainKeys />
        {note && (
          <Text size="xs" c="dimmed" data-testid="legend-note">
            {note}
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed" data-testid="legend-coverage">
        {coverageText(legend)}
      </Text>
    </Stack>
  );
}

/** `note`: where the values come from or why there are none (e.g. the intensity source). */
export function HeatmapLegend({ legend, note }: { legend: Legend; note?: string | null }) {
  if (legend.kind === 'categories') {
    return (
      <Stack gap={4}>
        <Group gap="xs" data-testid="heatmap-legend">
          {legend.items.map((it) => (
            <Group key={it.label} gap={4} wrap="nowrap">
              <span style={{ ...swatch, background: css(it.color) }} />
              <Text size="xs">{it.label}</Text>
            </Group>
          ))}
          {legend.more > 0 && (
            <Text size="xs" c="dimmed">
              +{legend.more} more (colours repeat every {DISTINCT_CATEGORIES})
            </Text>
          )}
          {legend.items.length === 0 && (
            <Text size="xs" c="dimmed">
              no values on this plate
            </Text>
          )}
        </Group>
        <Keys legend={legend} note={note} />
      </Stack>
    );
  }
  const stops = Array.from(
    { length: 21 },
    (_, i) => `${css(continuousColor(legend.map, i / 20))} ${i * 5}%`,
  );
  return (
    <Stack gap={4}>
      <Group gap="md" data-testid="heatmap-legend">
        <Stack gap={2} w={320}>
          <Text size="xs" fw={500} data-testid="legend-label">
            {legend.label} ({legend.unit})
          </Text>
          <div
            style={{
              height: 12,
              borderRadius: 2,
              background: `linear-gradient(to right, ${stops.join(', ')})`,
            }}
          />
          <Group justify="space-between">
            <Text size="xs">{legend.min.toFixed(2)}</Text>
            <Text size="xs">{legend.max.toFixed(2)}</Text>
          </Group>
        </Stack>
      </Group>
      <Keys legend={legend} note={note} />
    </Stack>
  );
}
