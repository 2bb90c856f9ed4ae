// The training settings form: every TrainConfig field, validated as you type against the
// contract's zod schema (errors inline under each field; choice options come from the schema);
// `reviewExcluded` and `classCoverage` show the wells review and class coverage leave out.
import {
  Fieldset,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { describeCoverage } from '../../../src-shared/class-coverage';
import {
  learningRateForSwitch,
  TrainConfig,
  type ClassCoverage,
} from '../../../src-shared/contract';

export type Draft = Record<string, unknown>;
export type FieldErrors = Record<string, string>;

export function getPath(obj: Draft, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Draft)[k] : undefined), obj);
}

export function setPath(obj: Draft, path: string, value: unknown): Draft {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return { ...obj, [head]: value };
  return { ...obj, [head]: setPath((obj[head] as Draft) ?? {}, rest.join('.'), value) };
}

/**
 * Sets one field. Switching between SGD and Adam/AdamW also moves a learning rate still at the old
 * family's default to the new one's (`sgdDefault`: the server defaults' rate; see the contract).
 */
export function changeSetting(
  draft: Draft,
  path: string,
  value: unknown,
  sgdDefault: number | undefined,
): Draft {
  const next = setPath(draft, path, value);
  if (path !== 'optimizer' || sgdDefault === undefined) return next;
  const from = TrainConfig.shape.optimizer.safeParse(draft.optimizer);
  const to = TrainConfig.shape.optimizer.safeParse(value);
  const lr = draft.learningRate;
  if (!from.success || !to.success || typeof lr !== 'number') return next;
  return { ...next, learningRate: learningRateForSwitch(from.data, to.data, lr, sgdDefault) };
}

/** A choice field's options, straight from the contract's enum. */
const choices = {
  arch: TrainConfig.shape.arch.options,
  target: TrainConfig.shape.target.options,
  normalization: TrainConfig.shape.normalization.options,
  optimizer: TrainConfig.shape.optimizer.options,
  loss: TrainConfig.shape.loss.options,
  splitStrategy: TrainConfig.shape.split.shape.strategy.options,
};

interface FormProps {
  draft: Draft;
  errors: FieldErrors;
  onChange: (path: string, value: unknown) => void;
  disabled?: boolean;
  /** Training wells review marked 'exclude' (training.validate), shown by the switch; null: unknown. */
  reviewExcluded?: number | null;
  /** What this draft's class coverage leaves out (training.validate); null: unknown. */
  classCoverage?: ClassCoverage | null;
}

/** Default number offered when class coverage is switched from 'auto' to a number. */
const COVERAGE_NUMBER = 2;

/**
 * Class coverage (minClassExperiments): 'auto' or a number of experiments, and what it leaves out
 * for the open dataset. Absent (a config from before the setting) shows as 1: every class.
 */
function ClassCoverageField(props: FormProps) {
  const v = getPath(props.draft, 'minClassExperiments');
  const auto = v === 'auto';
  const c = props.classCoverage;
  const left = describeCoverage(c);
  return (
    <>
      <Switch
        size="sm"
        mt="lg"
        label="Classes: auto coverage"
        checked={auto}
        onChange={(e) =>
          props.onChange(
            'minClassExperiments',
            e.currentTarget.checked ? 'auto' : (c?.threshold ?? COVERAGE_NUMBER),
          )
        }
        disabled={props.disabled}
        data-testid="tf-minClassExperiments-auto"
      />
      <NumberInput
        size="xs"
        label="Min. experiments per class"
        value={auto ? (c?.threshold ?? '') : typeof v === 'number' ? v : v === undefined ? 1 : ''}
        // An empty field stays invalid (never silently 'every class').
        onChange={(x) => props.onChange('minClassExperiments', x)}
        min={1}
        clampBehavior="none"
        error={
          props.errors.minClassExperiments &&
          'Enter a whole number of experiments (at least 1), or switch on auto.'
        }
        disabled={props.disabled || auto}
        data-testid="tf-minClassExperiments"
      />
      {c && (
        <Text size="sm" mt="lg" style={{ gridColumn: 'span 2' }} data-testid="train-class-coverage">
          {left
            ? `${left[0]!.toUpperCase()}${left.slice(1)}${auto ? ` (auto: three quarters of ${c.mostExperiments}, the most any class is seen in, rounded up)` : ''}.`
            : `Every class is seen in at least ${c.threshold} training experiment${c.threshold === 1 ? '' : 's'}: none left out.`}
        </Text>
      )}
    </>
  );
}

function Num(
  p: FormProps & {
    path: string;
    label: string;
    step?: number;
    min?: number;
    max?: number;
    decimals?: number;
  },
) {
  const v = getPath(p.draft, p.path);
  return (
    <NumberInput
      size="xs"
      label={p.label}
      value={typeof v === 'number' && Number.isFinite(v) ? v : ''}
      onChange={(x) =>
        p.onChange(p.path, typeof x === 'number' ? x : x === '' ? undefined : Number(x))
      }
      step={p.step}
      min={p.min}
      max={p.max}
      decimalScale={p.decimals}
      // Out-of-range input stays as typed and is reported, never silently clamped (0 → 1).
      clampBehavior="none"
      error={p.errors[p.path]}
      disabled={p.disabled}
      data-testid={`tf-${p.path}`}
    />
  );
}

function Sel(p: FormProps & { path: string; label: string; options: readonly string[] }) {
  return (
    <Select
      size="xs"
      label={p.label}
      data={[...p.options]}
      value={String(getPath(p.draft, p.path) ?? '')}
      onChange={(v) => v && p.onChange(p.path, v)}
      error={p.errors[p.path]}
      disabled={p.disabled}
      allowDeselect={false}
      data-testid={`tf-${p.path}`}
    />
  );
}

function Sw(p: FormProps & { path: string; label: string }) {
  return (
    <Switch
      size="sm"
      mt="lg"
      label={p.label}
      checked={Boolean(getPath(p.draft, p.path))}
      onChange={(e) => p.onChange(p.path, e.currentTarget.checked)}
      error={p.errors[p.path]}
      disabled={p.disabled}
      data-testid={`tf-${p.path}`}
    />
  );
}

function Box({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <Fieldset legend={legend} p="xs">
      <SimpleGrid cols={4} spacing="xs" verticalSpacing={4}>
        {children}
      </SimpleGrid>
    </Fieldset>
  );
}

export function TrainForm(props: FormProps) {
  const decay = getPath(props.draft, 'lrDecayEpochs');
  return (
    <Group gap="xs" align="stretch" data-testid="train-form" style={{ flexDirection: 'column' }}>
      <Box legend="Model and data">
        <Sel {...props} path="arch" label="Model" options={choices.arch} />
        <Sel {...props} path="target" label="Target" options={choices.target} />
        <Num {...props} path="imageSize" label="Image size (px)" min={16} max={512} />
        <Num {...props} path="cropSize" label="Crop size (px)" min={16} max={512} />
        <Sel
          {...props}
          path="normalization"
          label="Normalisation"
          options={choices.normalization}
        />
        <Sw {...props} path="cellTypeInput" label="Cell type as input" />
        <Sw {...props} path="includeControls" label="Include controls" />
        <Num {...props} path="seed" label="Seed" />
      </Box>
      <Box legend="Class coverage">
        <ClassCoverageField {...props} />
      </Box>
      <Box legend="Optimisation">
        <Num {...props} path="epochs" label="Epochs" min={1} max={500} />
        <Num {...props} path="batchSize" label="Batch size" min={1} max={512} />
        <Sel {...props} path="optimizer" label="Optimiser" options={choices.optimizer} />
        <Num
          {...props}
          path="learningRate"
          label="Learning rate"
          step={0.001}
          decimals={6}
          min={0}
        />
        <Num
          {...props}
          path="momentum"
          label="Momentum (SGD)"
          step={0.05}
          decimals={3}
          min={0}
          max={1}
        />
        <Num
          {...props}
          path="weightDecay"
          label="Weight decay"
          step={0.0001}
          decimals={6}
          min={0}
        />
        <Num {...props} path="warmupEpochs" label="Warm-up epochs" min={0} />
        <TextInput
          size="xs"
          label="LR decay at epochs"
          placeholder="e.g. 20, 30"
          value={Array.isArray(decay) ? decay.join(', ') : String(decay ?? '')}
          onChange={(e) => {
            const raw = e.currentTarget.value.trim();
            props.onChange(
              'lrDecayEpochs',
              raw === ''
                ? []
                : raw
                    .split(/[\s,]+/)
                    .filter(Boolean)
                    .map(Number),
            );
          }}
          error={Object.entries(props.errors).find(([k]) => k.startsWith('lrDecayEpochs'))?.[1]}
          disabled={props.disabled}
          data-testid="tf-lrDecayEpochs"
        />
        <Num
          {...props}
          path="lrDecayFactor"
          label="LR decay factor"
          step={0.1}
          decimals={3}
          min={0}
          max={1}
        />
        <Sel {...props} path="loss" label="Loss" options={choices.loss} />
        <Num
          {...props}
          path="labelSmoothing"
          label="Label smoothing"
          step={0.05}
          decimals={3}
          min={0}
          max={0.5}
        />
        <Num
          {...props}
          path="dropout"
          label="Dropout"
          step={0.05}
          decimals={3}
          min={0}
          max={0.95}
        />
      </Box>
      <Box legend="Augmentation">
        <Sw {...props} path="augment.d4" label="Flips + rotations (D4)" />
        <Num
          {...props}
          path="augment.intensityJitter"
          label="Intensity jitter"
          step={0.05}
          decimals={3}
          min={0}
          max={1}
        />
        <Num {...props} path="mixup" label="Mixup" step={0.05} decimals={3} min={0} max={1} />
      </Box>
      <Box legend="Validation split">
        <Sel {...props} path="split.strategy" label="Strategy" options={choices.splitStrategy} />
        <Num
          {...props}
          path="split.valFraction"
          label="Validation fraction"
          step={0.01}
          decimals={3}
          min={0.01}
          max={0.5}
        />
        <Num {...props} path="split.seed" label="Split seed" />
      </Box>
      <Box legend="Review decisions">
        <Switch
          size="sm"
          mt="xs"
          label="Leave out wells excluded by review"
          // Absent (a config from before review decisions) means on, as the trainer reads it.
          checked={getPath(props.draft, 'useReviewExclusions') !== false}
          onChange={(e) => props.onChange('useReviewExclusions', e.currentTarget.checked)}
          disabled={props.disabled}
          data-testid="tf-useReviewExclusions"
        />
        {props.reviewExcluded != null && (
          <Text size="sm" mt="xs" data-testid="train-review-excluded">
            {props.reviewExcluded} well{props.reviewExcluded === 1 ? '' : 's'} excluded by review
            {getPath(props.draft, 'useReviewExclusions') === false
              ? ' (kept in: switch is off)'
              : ' (left out of training and validation)'}
          </Text>
        )}
      </Box>
    </Group>
  );
}
