// Experiment and plate pickers with cell-type and split filters, fed by dataset.summary; the choice
// is the shared app selection so every screen looks at the same plate.
import { Group, SegmentedControl, Select } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useCall } from '../state/api-context';
import { useAppState } from '../state/app-state';

export function PlatePicker({ splitFilter }: { splitFilter?: 'train' | 'test' | null }) {
  const { experiment, plate, selectPlate, catalogVersion } = useAppState();
  const summary = useCall('dataset.summary', {}, String(catalogVersion));
  const [cellType, setCellType] = useState<string | null>(null);
  const [split, setSplit] = useState<string | null>(splitFilter ?? null);
  const plates = useMemo(() => summary.data?.plates ?? [], [summary.data]);

  const cellTypes = useMemo(() => [...new Set(plates.map((p) => p.cellType))].sort(), [plates]);
  const experiments = useMemo(
    () =>
      [
        ...new Set(
          plates
            .filter((p) => (!cellType || p.cellType === cellType) && (!split || p.split === split))
            .map((p) => p.experiment),
        ),
      ].sort(),
    [plates, cellType, split],
  );
  const platesOf = useMemo(
    () =>
      plates
        .filter((p) => p.experiment === experiment)
        .map((p) => p.plate)
        .sort((a, b) => a - b),
    [plates, experiment],
  );

  // Keep a valid selection: default to the first plate of the first matching experiment.
  useEffect(() => {
    if (!experiments.length) return;
    if (!experiment || !experiments.includes(experiment)) {
      const first = experiments[0];
      const p = plates
        .filter((x) => x.experiment === first)
        .map((x) => x.plate)
        .sort((a, b) => a - b)[0];
      selectPlate(first, p ?? null, { replace: true });
    } else if (plate === null || !platesOf.includes(plate)) {
      selectPlate(experiment, platesOf[0] ?? null, { replace: true });
    }
  }, [experiments, experiment, plate, platesOf, plates, selectPlate]);

  return (
    <Group gap="sm" align="end">
      <Select
        label="Cell type"
        placeholder="All"
        clearable
        data={cellTypes}
        value={cellType}
        onChange={setCellType}
        w={120}
        data-testid="filter-celltype"
      />
      <Select
        label="Split"
        placeholder="All"
        clearable
        data={['train', 'test']}
        value={split}
        onChange={setSplit}
        w={100}
        data-testid="filter-split"
      />
      <Select
        label="Experiment"
        data={experiments}
        value={experiment}
        allowDeselect={false}
        onChange={(e) => e && selectPlate(e, null)}
        searchable
        w={150}
        data-testid="pick-experiment"
      />
      <div>
        <div style={{ fontSize: 14, fontWeight: 500, marginBottom: 2 }}>Plate</div>
        <SegmentedControl
          data={platesOf.map((p) => ({ value: String(p), label: String(p) }))}
          value={plate !== null ? String(plate) : ''}
          onChange={(v) => selectPlate(experiment, Number(v))}
          data-testid="pick-plate"
        />
      </div>
    </Group>
  );
}
