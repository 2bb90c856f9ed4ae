// Checks the training form against the contract's TrainConfig and words the problems for people
// ("Epochs must be at least 1", not zod's "Too small: expected number to be >=1"), plus hints for
// settings that are valid but do nothing (an LR decay after the last epoch) and the reason Start
// is refused when the training set would have no classes.
import type { z } from 'zod';
import { describeCoverage } from '../../../src-shared/class-coverage';
import { TrainConfig, type ClassCoverage } from '../../../src-shared/contract';
import type { Draft, FieldErrors } from '../components/train-form';

/** One zod issue in plain words (the field's label is shown next to it, so it is not repeated). */
export function humanIssue(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & Record<string, unknown>;
  switch (i.code) {
    case 'too_small':
      return i.inclusive === false
        ? `Must be greater than ${String(i.minimum)}.`
        : i.origin === 'array'
          ? `Needs at least ${String(i.minimum)} value(s).`
          : `Must be at least ${String(i.minimum)}.`;
    case 'too_big':
      return i.inclusive === false
        ? `Must be less than ${String(i.maximum)}.`
        : `Must be at most ${String(i.maximum)}.`;
    case 'invalid_type':
      if (i.expected === 'int') return 'Must be a whole number.';
      if (i.expected === 'number') return 'Enter a number.';
      if (i.expected === 'boolean') return 'Choose on or off.';
      return `Enter a ${String(i.expected)}.`;
    case 'invalid_value':
      return `Choose one of: ${(i.values as unknown[]).map(String).join(', ')}.`;
    case 'custom':
      // The contract's own cross-field rules word their messages for people already.
      return sentence(i.message);
    default:
      return 'This value is not allowed here.';
  }
}

const sentence = (m: string) =>
  `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;

/**
 * Validates a form draft. `config` is the parsed TrainConfig or null; `errors` maps a dotted field
 * path ('split.valFraction', 'lrDecayEpochs') to its first problem; `hints` are valid-but-useless
 * settings worth a word. Nothing is corrected silently: an out-of-range value stays an error.
 */
export function validateDraft(draft: Draft): {
  config: TrainConfig | null;
  errors: FieldErrors;
  hints: string[];
} {
  const parsed = TrainConfig.safeParse(draft);
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // An array element's problem belongs to the array field ('lrDecayEpochs.1' → 'lrDecayEpochs').
      const path = issue.path.filter((p) => typeof p === 'string').join('.');
      const el = issue.path.find((p) => typeof p === 'number');
      errors[path] ??= (el !== undefined ? `Value ${el + 1}: ` : '') + humanIssue(issue);
    }
    return { config: null, errors, hints: [] };
  }
  const c = parsed.data;
  const hints: string[] = [];
  // schedule.ts: a decay at e applies from 0-based epoch e on, i.e. never when e >= epochs.
  const late = c.lrDecayEpochs.filter((e) => e >= c.epochs);
  if (late.length > 0)
    hints.push(
      `LR decay at epoch ${late.join(', ')} never applies: training ends after ${c.epochs} epoch(s) ` +
        `(a decay at e takes effect from epoch e+1).`,
    );
  if (c.warmupEpochs >= c.epochs && c.warmupEpochs > 0)
    hints.push(
      `Warm-up (${c.warmupEpochs} epochs) lasts the whole run of ${c.epochs} epoch(s): the full learning rate is never reached.`,
    );
  return { config: c, errors, hints };
}

/**
 * Why training cannot start with these counts (training.validate's), or null when it can. A
 * classifier needs training wells and at least 2 classes; when class coverage left classes out,
 * the reason says so (lower the minimum); when controls are left out, 0 classes usually means
 * every imaged well is a control, so the reason suggests including them.
 */
export function startBlocker(
  counts: { trainWells: number; classes: number; classCoverage?: ClassCoverage | null },
  config: Pick<TrainConfig, 'includeControls' | 'target'>,
): string | null {
  if (counts.trainWells > 0 && counts.classes >= 2) return null;
  const left = describeCoverage(counts.classCoverage);
  if (left && counts.classes < 2)
    return `Only ${counts.classes} class${counts.classes === 1 ? '' : 'es'} left to train on: class coverage ${left}. Lower “Min. experiments per class” to train on them.`;
  if (counts.trainWells === 0 || counts.classes === 0) {
    const what = counts.trainWells === 0 ? 'no training wells' : 'no classes in the training set';
    if (!config.includeControls)
      return `There are ${what}: every imaged well may be a control, and controls are left out. Turn on “Include controls” to train on them.`;
    return `There are ${what}: the open dataset has no labelled wells with images for the “${config.target}” target.`;
  }
  return `Only ${counts.classes} class in the training set (every training well has the same “${config.target}” label): a classifier needs at least 2.`;
}
