// Live training curves (loss, accuracy in percent, learning rate) per step or per epoch, drawn with
// chart.js; epochs are numbered from 1 as everywhere in the UI (events carry 0-based indices).
import { SegmentedControl, SimpleGrid, Stack } from '@mantine/core';
import { useState } from 'react';
import { Line } from 'react-chartjs-2';
import type { ChartOptions } from 'chart.js';
import type { CallOutput } from '../../../src-shared/contract';
import '../lib/chart-setup';

export type Metrics = CallOutput<'runs.metrics'>;

type Pt = { x: number; y: number };
interface Series {
  label: string;
  data: Pt[];
  color: string;
}

function chartData(series: Series[]) {
  return {
    datasets: series.map((s) => ({
      label: s.label,
      data: s.data,
      borderColor: s.color,
      backgroundColor: s.color,
      pointRadius: s.data.length > 60 ? 0 : 2,
      borderWidth: 1.5,
      tension: 0.1,
    })),
  };
}

function options(title: string, xLabel: string, log = false): ChartOptions<'line'> {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    plugins: {
      title: { display: true, text: title },
      legend: { position: 'bottom', labels: { boxWidth: 10 } },
    },
    scales: {
      x: { type: 'linear', title: { display: true, text: xLabel }, ticks: { precision: 0 } },
      y: { type: log ? 'logarithmic' : 'linear' },
    },
  };
}

export function MetricsCharts({ metrics }: { metrics: Metrics }) {
  const [by, setBy] = useState<'step' | 'epoch'>('step');
  const s = metrics.steps;
  const e = metrics.epochs;
  const x = (i: number, v: number) => ({ x: i, y: v });
  // Epoch metrics are 0-based; the charts (like the job messages) count epochs from 1.
  const ep = (m: { epoch: number }) => m.epoch + 1;
  // Accuracy in percent, the one convention of the tables.
  const pc = (v: number) => v * 100;
  const loss: Series[] =
    by === 'step'
      ? [{ label: 'train loss', data: s.map((m) => x(m.step, m.loss)), color: '#4c6ef5' }]
      : [
          { label: 'train loss', data: e.map((m) => x(ep(m), m.loss)), color: '#4c6ef5' },
          {
            label: 'val loss',
            data: e.filter((m) => m.valLoss !== null).map((m) => x(ep(m), m.valLoss ?? 0)),
            color: '#f76707',
          },
        ];
  const acc: Series[] =
    by === 'step'
      ? [
          {
            label: 'train accuracy (%)',
            data: s.map((m) => x(m.step, pc(m.accuracy))),
            color: '#2f9e44',
          },
        ]
      : [
          {
            label: 'train accuracy (%)',
            data: e.map((m) => x(ep(m), pc(m.accuracy))),
            color: '#2f9e44',
          },
          {
            label: 'val accuracy (%)',
            data: e
              .filter((m) => m.valAccuracy !== null)
              .map((m) => x(ep(m), pc(m.valAccuracy ?? 0))),
            color: '#e03131',
          },
        ];
  const lr: Series[] = [
    {
      label: 'learning rate',
      data: by === 'step' ? s.map((m) => x(m.step, m.lr)) : e.map((m) => x(ep(m), m.lr)),
      color: '#ae3ec9',
    },
  ];
  const xl = by === 'step' ? 'step' : 'epoch';
  return (
    <Stack
      gap="xs"
      data-testid="metrics-charts"
      data-steps={s.length}
      data-epochs={e.length}
      data-first-epoch={e.length ? ep(e[0]) : ''}
    >
      <SegmentedControl
        size="xs"
        data={[
          { value: 'step', label: 'Per step' },
          { value: 'epoch', label: 'Per epoch' },
        ]}
        value={by}
        onChange={(v) => setBy(v as typeof by)}
        w={200}
      />
      <SimpleGrid cols={3}>
        <div style={{ height: 220 }} data-testid="chart-loss">
          <Line data={chartData(loss)} options={options('Loss', xl)} />
        </div>
        <div style={{ height: 220 }} data-testid="chart-accuracy">
          <Line data={chartData(acc)} options={options('Accuracy (%)', xl)} />
        </div>
        <div style={{ height: 220 }} data-testid="chart-lr">
          <Line data={chartData(lr)} options={options('Learning rate', xl)} />
        </div>
      </SimpleGrid>
    </Stack>
  );
}
