// Renders the notification store as Mantine Notification cards in the bottom-right corner.
import { Button, Notification } from '@mantine/core';
import { dismiss, useNotes } from '../state/notify';

export function Notifications() {
  const notes = useNotes();
  return (
    <div className="notes" aria-live="polite">
      {notes.map((n) => (
        <Notification
          key={n.id}
          color={n.color}
          title={n.title}
          onClose={() => dismiss(n.id)}
          data-testid="notification"
          data-color={n.color}
          withBorder
        >
          {n.message}
          {n.action && (
            <Button
              size="compact-xs"
              variant="light"
              ml="xs"
              onClick={() => {
                dismiss(n.id);
                n.action!.run();
              }}
              data-testid={n.action.testId ?? 'notification-action'}
            >
              {n.action.label}
            </Button>
          )}
        </Notification>
      ))}
    </div>
  );
}
