// The heatmap's choices, one control set for the plate browser and the figure export: metric, the
// stain for mean intensity, and a colormap of the metric's kind (src-shared/plate-heatmap.ts).
import { Select } from '@mantine/core';
import type { ColormapName } from '../../../src-shared/colormaps';
import { channelLabel } from '../../../src-shared/display-state';
import { colormapChoices, metricChoices, type MetricName } from '../../../src-shared/plate-heatmap';

export interface HeatmapOptionsProps {
  metric: MetricName;
  onMetric: (m: MetricName) => void;
  /** Channel 1–6 whose mean intensity the `intensity` metric shows. */
  channel: number;
  onChannel: (c: number) => void;
  colormap: ColormapName;
  onColormap: (c: ColormapName) => void;
  /** Whether a run is chosen (prediction metrics are offered only then). */
  hasRun: boolean;
  /** Prefix of the controls' test ids: `${prefix}-metric`, `-channel`, `-colormap`. */
  testIdPrefix: string;
}

/** Metric, channel (for intensity) and colormap selects, laid out inline by the caller's Group. */
export function HeatmapOptions(p: HeatmapOptionsProps) {
  return (
    <>
      <Select
        label="Metric"
        data={metricChoices(p.hasRun)}
        value={p.metric}
        onChange={(v) => v && p.onMetric(v as MetricName)}
        w={200}
        data-testid={`${p.testIdPrefix}-metric`}
      />
      {p.metric === 'intensity' && (
        <Select
          label="Channel"
          data={[1, 2, 3, 4, 5, 6].map((c) => ({ value: String(c), label: channelLabel(c) }))}
          value={String(p.channel)}
          onChange={(v) => v && p.onChannel(Number(v))}
          w={150}
          data-testid={`${p.testIdPrefix}-channel`}
        />
      )}
      <Select
        label="Colormap"
        data={colormapChoices(p.metric)}
        value={p.colormap}
        onChange={(v) => v && p.onColormap(v as ColormapName)}
        w={140}
        data-testid={`${p.testIdPrefix}-colormap`}
      />
    </>
  );
}
