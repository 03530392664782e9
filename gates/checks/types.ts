import { z } from 'zod';
import type { ReportKind, ReportOf } from '../../evals/report/index.js';

/** Every gate check, in the order the decision lists them. Adding one means a file in gates/checks/ and a registry entry. */
export const CHECK_IDS = [
  'tests-pass',
  'coverage-lines',
  'security-findings',
  'eval-pass-rate',
  'eval-hallucination',
  'eval-tool-success',
  'eval-pass-k',
  'eval-grader-sensitivity',
  'eval-harness-errors',
  'eval-baseline',
  'load-p95',
  'load-error-rate',
  'load-throughput',
  'load-baseline',
  'chaos-drills',
] as const;
export const CheckIdSchema = z.enum(CHECK_IDS);
export type CheckId = z.infer<typeof CheckIdSchema>;

export const VerdictSchema = z.enum(['pass', 'warn', 'fail', 'inconclusive']);
export type Verdict = z.infer<typeof VerdictSchema>;

export const ThresholdSchema = z.object({ op: z.enum(['gte', 'gt', 'lte', 'lt']), value: z.number() }).strict();
export type Threshold = z.infer<typeof ThresholdSchema>;

export const CheckPolicySchema = z
  .object({
    threshold: ThresholdSchema.optional(),
    /** A stricter bound: meeting the threshold but not this one is a warn. */
    warn: ThresholdSchema.optional(),
    /** Compare with the same measure on the baseline report; `required` makes a missing baseline inconclusive. */
    baseline: z.object({ maxRegression: z.number().min(0).optional(), required: z.boolean().default(false) }).strict().optional(),
    /**
     * Against the median of the same check in the last `window` accepted decisions (`luminamind gate --history DIR`):
     * a regression beyond `maxRegression` fails; `required` makes an empty history inconclusive.
     */
    relative: z.object({ window: z.number().int().min(1).max(50).default(5), maxRegression: z.number().min(0), required: z.boolean().default(false) }).strict().optional(),
    weight: z.number().min(0).default(1),
    /** A key objective: its fail blocks and its missing evidence is inconclusive, whatever the score. */
    veto: z.boolean().default(false),
    /** Measured and reported, never deciding: no weight in the score, no veto, no warning (to onboard a new check). */
    dryRun: z.boolean().default(false),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type CheckPolicy = z.infer<typeof CheckPolicySchema>;

/** How a measure is shown: `ratio` 0..1 as a percentage, `pct` already a percentage, `change` a signed relative change, `p` a p-value. */
export type Unit = 'ratio' | 'pct' | 'change' | 'ms' | 'rps' | 'count' | 'p';

export interface CheckInput<K extends ReportKind> {
  report: ReportOf<K>;
  /** The baseline report of the same kind, when one was given and is valid. */
  baseline?: ReportOf<K>;
  config: CheckPolicy;
  /** `config.params` parsed by the check's paramsSchema. */
  params: Record<string, unknown>;
}

export interface CheckOutcome {
  verdict: Verdict;
  /** The measured value in the check's unit; null when nothing could be measured. */
  measured: number | null;
  /** The same measure on the baseline report, for trends. */
  baselineValue?: number | null;
  /** One line a release manager reads: what was measured against what. */
  reason: string;
  details?: Record<string, unknown>;
}

/**
 * A gate check: one measure over one kind of report, judged against the policy's threshold. Checks are
 * pure; decide() handles missing and stale evidence before calling `evaluate`, so `evaluate` always
 * gets a fresh, valid report of its kind.
 *
 * @example
 *   export const coverageLines = {
 *     id: 'coverage-lines', kind: 'coverage', title: 'Line coverage', unit: 'pct',
 *     description: 'Share of source lines executed by the test suite.',
 *     paramsSchema: z.object({}),
 *     evaluate: ({ report, baseline, config }) =>
 *       judgeMetric({ value: report.summary.lines.pct, baselineValue: baseline?.summary.lines.pct, config, unit: 'pct' }),
 *   } satisfies Check<'coverage'>;
 */
export interface Check<K extends ReportKind = ReportKind> {
  id: CheckId;
  kind: K;
  title: string;
  unit: Unit;
  description: string;
  paramsSchema: z.ZodType<Record<string, unknown>>;
  evaluate(input: CheckInput<K>): CheckOutcome;
}

/** A check of any one kind (the registry's element type). */
export type AnyCheck = { [K in ReportKind]: Check<K> }[ReportKind];
