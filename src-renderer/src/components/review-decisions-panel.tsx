// The "Review decisions" list (issue 14): the open dataset's decisions in force, filtered by kind,
// with counts, the well opened on click, Undo per well and for the newest change, the recent
// history, and the CSV export (review.export) with its download link.
import { Anchor, Button, Group, Paper, ScrollArea, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { CallOutput, ReviewDecisionKind } from '../../../src-shared/contract';
import { REVIEW_LABELS } from '../../../src-shared/plate-heatmap';
import { useApi, useCall, useCaller } from '../state/api-context';
import { useAppState } from '../state/app-state';
import { Choice } from './choice';
import { ReviewBadge, useReviewCalls } from './review-actions';

type Filter = 'all' | ReviewDecisionKind;

export function ReviewDecisionsPanel() {
  const { catalogVersion, openWell } = useAppState();
  const { media } = useApi();
  const call = useCaller();
  const { undo } = useReviewCalls();
  const [filter, setFilter] = useState<Filter>('all');
  const [showHistory, setShowHistory] = useState(false);
  const [exported, setExported] = useState<CallOutput<'review.export'> | null>(null);
  const decision = filter === 'all' ? undefined : filter;
  const list = useCall(
    'review.list',
    { decision, historyLimit: 30 },
    `${filter}|${catalogVersion}`,
  );
  const data = list.data;
  const exportCsv = async () => {
    const r = await call('review.export', { decision });
    if (r) setExported(r);
  };
  return (
    <Paper withBorder p="sm" data-testid="review-decisions">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Review decisions</Title>
        <Group gap="xs" align="end">
          <Choice
            label="Show"
            options={[
              { value: 'all', label: `All (${data?.counts.total ?? 0})` },
              { value: 'exclude', label: `Excluded (${data?.counts.exclude ?? 0})` },
              {
                value: 'suspect_label',
                label: `Suspect label (${data?.counts.suspect_label ?? 0})`,
              },
            ]}
            value={filter}
            onChange={(v) => setFilter(v as Filter)}
            testId="review-filter"
          />
          <Button
            size="xs"
            variant="default"
            disabled={!data?.history.some((h) => h.undoneAt === null)}
            onClick={() => void undo({})}
            data-testid="review-undo-last"
          >
            Undo last change
          </Button>
          <Button
            size="xs"
            variant="light"
            onClick={() => void exportCsv()}
            data-testid="review-export"
          >
            Export CSV
          </Button>
        </Group>
      </Group>
      {exported && (
        <Text size="sm" mb="xs" data-testid="review-exported">
          {exported.rows} decision(s) written to{' '}
          <Anchor href={media(exported.url)} download data-testid="review-export-link">
            {exported.path}
          </Anchor>
        </Text>
      )}
      <Text size="xs" c="dimmed" mb={4} data-testid="review-counts">
        {data
          ? `${data.counts.exclude} excluded (left out of training by default) · ${data.counts.suspect_label} suspect label`
          : '…'}
      </Text>
      {data && data.decisions.length === 0 && (
        <Text c="dimmed" size="sm" data-testid="review-empty">
          No {filter === 'all' ? '' : `${REVIEW_LABELS[filter]} `}decisions. Mark wells from the
          queues above or in the well viewer.
        </Text>
      )}
      {data && data.decisions.length > 0 && (
        <ScrollArea.Autosize mah={260}>
          <Table data-testid="review-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Well</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Note</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.decisions.map((d) => (
                <Table.Tr key={d.idCode} data-testid="review-row" data-idcode={d.idCode}>
                  <Table.Td>
                    <Anchor
                      component="button"
                      style={{ fontFamily: 'monospace', fontSize: 12 }}
                      onClick={() => openWell(d.idCode)}
                    >
                      {d.idCode}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <ReviewBadge decision={d.decision} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{d.note ?? '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      {new Date(d.decidedAt).toLocaleString()}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => void undo({ idCode: d.idCode })}
                      data-testid="review-row-undo"
                    >
                      Undo
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
      <Anchor
        component="button"
        size="xs"
        mt="xs"
        onClick={() => setShowHistory((v) => !v)}
        data-testid="review-history-toggle"
      >
        {showHistory ? 'Hide history' : 'Show history'}
      </Anchor>
      {showHistory && data && (
        <Table data-testid="review-history">
          <Table.Tbody>
            {data.history.map((h) => (
              <Table.Tr key={h.id} style={{ opacity: h.undoneAt ? 0.5 : 1 }}>
                <Table.Td style={{ fontFamily: 'monospace', fontSize: 12 }}>{h.idCode}</Table.Td>
                <Table.Td>
                  <Text size="xs">{h.decision ? REVIEW_LABELS[h.decision] : 'cleared'}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{h.note ?? ''}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {new Date(h.createdAt).toLocaleString()}
                    {h.undoneAt ? ' (undone)' : ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
