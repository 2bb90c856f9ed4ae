// Catches a rendering failure in one screen and shows a readable message with a retry button,
// instead of a blank window or a stack trace.
import { Alert, Button, Stack, Text } from '@mantine/core';
import { Component, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" title="This screen hit a problem" data-testid="screen-error">
        <Stack gap="xs">
          <Text size="sm">{this.state.error.message || 'An unexpected error occurred.'}</Text>
          <Button size="xs" variant="light" w={120} onClick={() => this.setState({ error: null })}>
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }
}
