import { z } from 'zod';
import { passK } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * pass^k: the chance that k attempts of a case all pass, tau-bench's unbiased estimator C(c,k)/C(n,k) averaged over
 * (case, variant) groups, with the k the run was made for (summary.passK.k). `params.minK` makes a smaller k inconclusive.
 *
 * @example
 *   eval-pass-k: { threshold: { op: gte, value: 0.9 }, weight: 1, params: { minK: 3 } }
 */
export const evalPassK = {
  id: 'eval-pass-k',
  kind: 'eval',
  title: 'pass^k',
  unit: 'ratio',
  description: 'Mean over cases of C(c,k)/C(n,k): the chance that k attempts all pass.',
  paramsSchema: z.object({ minK: z.number().int().min(1).default(1) }).strict(),
  evaluate: ({ report, baseline, config, params }) => {
    const k = report.summary.passK.k;
    const { groups, rate, floor } = passK(report.results, k);
    if (rate === null) return inconclusive('the eval report has no gold or live runs');
    const minK = Number(params.minK ?? 1);
    if (k < minK) return inconclusive(`the run was made for k=${k}; the policy asks for k ≥ ${minK}`);
    const worst = floor && floor.value < 1 ? `, worst ${floor.group} at ${(floor.value * 100).toFixed(0)}%` : '';
    return judgeMetric({ value: rate, baselineValue: baseline ? passK(baseline.results, k).rate : null, config, unit: 'ratio', note: `k=${k} over ${groups} cases${worst}` });
  },
} satisfies Check<'eval'>;
