// Review decisions on one well (issue 14), used by the review queues and the well viewer: the
// decision in force as a badge, "Exclude well" / "Suspect label" with an optional note, Clear, and
// after each change a notification with Undo (that exact change, review.undo {id}).
import { Badge, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useCallback, useState } from 'react';
import {
  REVIEW_NOTE_MAX,
  type ReviewCurrent,
  type ReviewDecisionKind,
} from '../../../src-shared/contract';
import { REVIEW_LABELS } from '../../../src-shared/plate-heatmap';
import { useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { notify } from '../state/notify';

/** Badge colour of each decision (the heatmap's red / amber). */
export const REVIEW_BADGE_COLOR: Record<ReviewDecisionKind, string> = {
  exclude: 'red',
  suspect_label: 'yellow',
};

/** The decision as a small badge (nothing when the well has none). */
export function ReviewBadge({ decision }: { decision: ReviewDecisionKind | null | undefined }) {
  if (!decision) return null;
  return (
    <Badge
      size="sm"
      color={REVIEW_BADGE_COLOR[decision]}
      data-testid="review-badge"
      data-decision={decision}
    >
      {REVIEW_LABELS[decision]}
    </Badge>
  );
}

/**
 * `decide(idCode, decision | null, note?)` and `undo(target)`: the review calls with their
 * notifications (a change offers Undo of that very change; errors show as red notifications).
 */
export function useReviewCalls() {
  const call = useCaller();
  const undo = useCallback(
    async (target: { id?: number; idCode?: string }) => {
      const r = await call('review.undo', target);
      if (r)
        notify({
          color: 'blue',
          title: 'Review decision undone',
          message: `${r.undone.idCode}: ${r.current ? REVIEW_LABELS[r.current.decision] : 'no decision'} again`,
        });
      return r;
    },
    [call],
  );
  const decide = useCallback(
    async (idCode: string, decision: ReviewDecisionKind | null, note?: string) => {
      const r = await call('review.set', { idCode, decision, ...(note ? { note } : {}) });
      const change = r?.change;
      if (change)
        notify(
          {
            color: decision === 'exclude' ? 'yellow' : 'blue',
            title: 'Review decision',
            message: `${idCode}: ${decision ? REVIEW_LABELS[decision] : 'decision cleared'}`,
            action: {
              label: 'Undo',
              run: () => void undo({ id: change.id }),
              testId: 'review-undo-toast',
            },
          },
          10_000,
        );
      return r;
    },
    [call, undo],
  );
  return { decide, undo };
}

/**
 * The note sent with a decision: the one typed, else (changing exclude ↔ suspect label) the note in
 * force, so a change of mind keeps the reason; a clear (decision null) sends none.
 */
export function noteToSend(
  decision: ReviewDecisionKind | null,
  typed: string,
  inForce: string | null,
): string | undefined {
  const t = typed.trim();
  if (t) return t;
  return decision !== null && inForce ? inForce : undefined;
}

/** The buttons and note field for well `idCode` whose decision in force is `current`. */
export function ReviewActions({
  idCode,
  current,
}: {
  idCode: string;
  current: ReviewCurrent | null | undefined;
}) {
  const { decide } = useReviewCalls();
  const [note, setNote] = useState<{ for: string; text: string } | null>(null);
  const text = note?.for === idCode ? note.text : '';
  const act = (decision: ReviewDecisionKind | null) =>
    void decide(idCode, decision, noteToSend(decision, text, current?.note ?? null)).then(
      (r) => r && setNote(null),
    );
  return (
    <Stack gap={4} data-testid="review-actions" data-idcode={idCode}>
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" fw={600}>
          Review
        </Text>
        {current ? (
          <>
            <ReviewBadge decision={current.decision} />
            {current.note && (
              <Text size="xs" c="dimmed" data-testid="review-note" lineClamp={1}>
                {current.note}
              </Text>
            )}
          </>
        ) : (
          <Text size="xs" c="dimmed" data-testid="review-none">
            no decision
          </Text>
        )}
      </Group>
      <Group gap="xs" wrap="wrap">
        <TextInput
          size="xs"
          placeholder="Note (optional)"
          value={text}
          onChange={(e) => setNote({ for: idCode, text: e.currentTarget.value })}
          maxLength={REVIEW_NOTE_MAX}
          style={{ flex: 1, minWidth: 120 }}
          data-testid="review-note-input"
        />
        <Button
          size="xs"
          color="red"
          variant={current?.decision === 'exclude' ? 'filled' : 'light'}
          onClick={() => act('exclude')}
          data-testid="review-exclude"
        >
          Exclude well
        </Button>
        <Button
          size="xs"
          color="yellow"
          variant={current?.decision === 'suspect_label' ? 'filled' : 'light'}
          onClick={() => act('suspect_label')}
          data-testid="review-suspect"
        >
          Suspect label
        </Button>
        {current && (
          <Button size="xs" variant="default" onClick={() => act(null)} data-testid="review-clear">
            Clear
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** The well viewer's review box: loads the well's decision (refreshed on catalog changes). */
export function ReviewWellPanel({ idCode }: { idCode: string }) {
  const { catalogVersion } = useAppState();
  const r = useCall('review.list', { idCode, historyLimit: 0 }, `${idCode}|${catalogVersion}`);
  const current = r.data ? (r.data.decisions[0] ?? null) : undefined;
  return (
    <Paper withBorder p="sm" data-testid="well-review">
      <ReviewActions idCode={idCode} current={current} />
    </Paper>
  );
}
