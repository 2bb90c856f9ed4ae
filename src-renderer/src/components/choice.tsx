// A labelled choice between a few options (a segmented control), typed by its option values, and
// the one split choice (validation / test) of the prediction screens.
import { SegmentedControl, Text } from '@mantine/core';
import type { PredictionSplit } from '../../../src-shared/contract';

export function Choice<T extends string>({
  label,
  options,
  value,
  onChange,
  testId,
}: {
  label: string;
  options: ReadonlyArray<{ value: T; label: string }>;
  value: T;
  onChange: (v: T) => void;
  testId?: string;
}) {
  return (
    <div>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <SegmentedControl
        data={[...options]}
        value={value}
        onChange={(v) => onChange(v as T)}
        data-testid={testId}
      />
    </div>
  );
}

const SPLITS: ReadonlyArray<{ value: PredictionSplit; label: string }> = [
  { value: 'val', label: 'Validation' },
  { value: 'test', label: 'Test' },
];

/** Which split's prediction set a screen shows: the run's validation wells or the test wells. */
export function SplitChoice(props: {
  value: PredictionSplit;
  onChange: (v: PredictionSplit) => void;
  testId?: string;
  /** Without a label (inline with other controls). */
  bare?: boolean;
}) {
  return props.bare ? (
    <SegmentedControl
      data={[...SPLITS]}
      value={props.value}
      onChange={(v) => props.onChange(v as PredictionSplit)}
      data-testid={props.testId}
    />
  ) : (
    <Choice label="Split" options={SPLITS} {...props} />
  );
}
