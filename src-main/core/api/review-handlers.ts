// Review decision calls (issue 14): set / clear / undo a well's decision ('exclude' or
// 'suspect_label', per dataset in its catalog), the current list with counts and history, and the
// CSV export in exports/. Every change sends catalog:changed {tables: ['review_decisions']}.
import path from 'node:path';
import Papa from 'papaparse';
import type { ReviewCurrent } from '../../../src-shared/contract';
import type { AppContext } from '../app/app-context';
import { relUnder } from '../app/media';
import {
  listReviewDecisions,
  reviewHistory,
  setReviewDecision,
  undoReviewDecision,
} from '../catalog/review-decisions';
import { writeFileAtomicSync } from '../util/atomic-write';
import { requireDataset } from './context-guards';
import type { HandlerGroup } from './handler-types';
import { safePart } from './plate-heatmap';

/** The table review changes touch, sent with catalog:changed so lists, plates and forms refresh. */
export const REVIEW_TABLES = ['review_decisions'];

/** Columns of the review CSV, in order. */
export const REVIEW_CSV_COLUMNS = [
  'id_code',
  'experiment',
  'plate',
  'well',
  'decision',
  'note',
  'decided_at',
] as const;

/**
 * The current decisions as CSV text (papaparse: quotes and escapes notes with commas, quotes or
 * line breaks), a header line of REVIEW_CSV_COLUMNS and one row per well, then a final newline.
 */
export function reviewDecisionsCsv(decisions: readonly ReviewCurrent[]): string {
  const rows = decisions.map((d) => [
    d.idCode,
    d.experiment,
    d.plate,
    d.well,
    d.decision,
    d.note ?? '',
    d.decidedAt,
  ]);
  return `${Papa.unparse({ fields: [...REVIEW_CSV_COLUMNS], data: rows }, { newline: '\n' })}\n`;
}

type Names = 'review.set' | 'review.undo' | 'review.list' | 'review.export';

export function reviewHandlers(ctx: AppContext): HandlerGroup<Names> {
  const changed = () => ctx.events.emit('catalog:changed', { tables: REVIEW_TABLES });
  return {
    'review.set': ({ idCode, decision, note }) => {
      const ds = requireDataset(ctx);
      const r = setReviewDecision(ds.db, idCode, decision, note ?? null);
      if (r.change) changed();
      return r;
    },
    'review.undo': ({ idCode, id }) => {
      const ds = requireDataset(ctx);
      const r = undoReviewDecision(ds.db, { id, idCode });
      changed();
      return r;
    },
    'review.list': ({ decision, idCode, historyLimit }) => {
      const ds = requireDataset(ctx);
      const { decisions, counts } = listReviewDecisions(ds.db, { decision });
      return {
        decisions: idCode === undefined ? decisions : decisions.filter((d) => d.idCode === idCode),
        counts,
        history: reviewHistory(ds.db, { idCode, limit: historyLimit }),
      };
    },
    'review.export': ({ decision }) => {
      const ds = requireDataset(ctx);
      const { decisions } = listReviewDecisions(ds.db, { decision });
      const name = `${safePart(path.basename(ds.root))}-review-decisions${decision ? `-${decision}` : ''}.csv`;
      const out = path.join(ctx.layout.exports, name);
      writeFileAtomicSync(out, reviewDecisionsCsv(decisions));
      return {
        path: out,
        url: ctx.mediaUrl('exports', relUnder(ctx.layout.exports, out)),
        rows: decisions.length,
      };
    },
  };
}
