// Renders the notification store as Mantine Notification cards in the bottom-right corner.
import { Notification } from '@mantine/core';
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
        </Notification>
      ))}
    </div>
  );
}
