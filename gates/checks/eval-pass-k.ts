import { z } from 'zod';
import { passK } from './eval-measures.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * pass^k floor: the share of cases whose every one of k repeats passed (reliability, not luck).
 * `params.minK` makes a report with fewer repeats inconclusive.
 *
 * @example
 *   eval-pass-k: { threshold: { op: gte, value: 0.9 }, weight: 1, params: { minK: 3 } }
 */
export const evalPassK = {
  id: 'eval-pass-k',
  kind: 'eval',
  title: 'pass^k',
  unit: 'ratio',
  description: 'Cases whose every repeat passed / cases.',
  paramsSchema: z.object({ minK: z.number().int().min(1).default(1) }).strict(),
  evaluate: ({ report, baseline, config, params }) => {
    const { k, groups, rate } = passK(report);
    if (rate === null) return inconclusive('the eval report has no judged runs');
    const minK = Number(params.minK ?? 1);
    if (k < minK) return inconclusive(`only ${k} repeat(s) per case; the policy asks for k ≥ ${minK}`);
    return judgeMetric({ value: rate, baselineValue: baseline ? passK(baseline).rate : null, config, unit: 'ratio', note: `k=${k} over ${groups} cases` });
  },
} satisfies Check<'eval'>;
