// A labelled choice between a few options (a segmented control), typed by its option values.
import { SegmentedControl, Text } from '@mantine/core';

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
