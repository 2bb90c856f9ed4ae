// The warnings a prediction set carries (e.g. plates holding siRNAs the run was never trained on),
// shown wherever the set's numbers or files are used: the Predictions and Export screens.
import { Alert, List } from '@mantine/core';

export function SetWarnings({
  warnings,
  testId = 'set-warnings',
}: {
  warnings: string[];
  testId?: string;
}) {
  if (warnings.length === 0) return null;
  return (
    <Alert
      color="orange"
      p="xs"
      title="Some of these predictions cannot be trusted"
      data-testid={testId}
    >
      <List size="sm">
        {warnings.map((w) => (
          <List.Item key={w}>{w}</List.Item>
        ))}
      </List>
    </Alert>
  );
}
