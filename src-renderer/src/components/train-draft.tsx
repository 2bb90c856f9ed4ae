// The training settings being edited: training.defaults until the user changes something, then the
// draft, validated as typed (kept in the tab's sessionStorage, so leaving the screen or reloading
// loses nothing); and the form that edits it (shared by the Training and Sweeps screens).
import { Alert } from '@mantine/core';
import { useSessionStorage } from '@mantine/hooks';
import { useMemo } from 'react';
import type { ClassCoverage } from '../../../src-shared/contract';
import { validateDraft } from '../lib/train-validation';
import { useCall } from '../state/api-context';
import { TrainForm, changeSetting, type Draft } from './train-form';

/** The draft of one screen's form; `screen` keys its sessionStorage entry ('training', 'sweeps'). */
export function useTrainDraft(screen: 'training' | 'sweeps') {
  const defaults = useCall('training.defaults', {}, 'once');
  const [edited, setDraft] = useSessionStorage<Draft | null>({
    key: `platelab.draft.${screen}`,
    defaultValue: null,
    getInitialValueInEffect: false,
    sync: false,
  });
  // Until the user edits something, the form shows the server's defaults.
  const draft = edited ?? (defaults.data as unknown as Draft | null);
  const checked = useMemo(
    () => (draft ? validateDraft(draft) : { config: null, errors: {}, hints: [] }),
    [draft],
  );
  return { defaults, draft, setDraft, ...checked };
}

export type TrainDraft = ReturnType<typeof useTrainDraft>;

/** The form over a draft (with the defaults' load error, if any). */
export function TrainDraftForm({
  td,
  reviewExcluded,
  classCoverage,
}: {
  td: TrainDraft;
  /** Wells review excluded (training.validate), shown in the form. */
  reviewExcluded?: number | null;
  /** What class coverage leaves out (training.validate), shown in the form. */
  classCoverage?: ClassCoverage | null;
}) {
  const { defaults, draft, errors, setDraft } = td;
  return (
    <>
      {defaults.error && <Alert color="red">{defaults.error.message}</Alert>}
      {draft && (
        <TrainForm
          draft={draft}
          errors={errors}
          reviewExcluded={reviewExcluded}
          classCoverage={classCoverage}
          onChange={(p, v) =>
            setDraft((d) => changeSetting(d ?? draft, p, v, defaults.data?.learningRate))
          }
        />
      )}
    </>
  );
}
