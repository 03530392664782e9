import { z } from 'zod';
import { wilsonInterval } from '../stats.js';
import { passRate } from './eval-measures.js';
import { formatValue, inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Regression-set accuracy over gold/live runs (REQUIREMENTS §8: ≥ 95%), with its Wilson lower bound
 * shown; `params.requireLowerBound` turns a lower bound under the threshold into a warn.
 *
 * @example
 *   eval-pass-rate: { threshold: { op: gte, value: 0.95 }, weight: 3, veto: true, params: { requireLowerBound: true } }
 */
export const evalPassRate = {
  id: 'eval-pass-rate',
  kind: 'eval',
  title: 'Eval pass rate',
  unit: 'ratio',
  description: 'Passed / judged runs (gold or live variants, harness errors excluded), with a 95% Wilson interval.',
  paramsSchema: z.object({ requireLowerBound: z.boolean().default(false) }).strict(),
  evaluate: ({ report, baseline, config, params }) => {
    const { passed, runs, rate } = passRate(report);
    if (rate === null) return inconclusive('the eval report has no judged runs');
    const ci = wilsonInterval(passed, runs);
    const outcome = judgeMetric({
      value: rate,
      baselineValue: baseline ? passRate(baseline).rate : null,
      config,
      unit: 'ratio',
      note: `${passed}/${runs} passed, 95% Wilson [${formatValue(ci.lower, 'ratio')}, ${formatValue(ci.upper, 'ratio')}]`,
      details: { passed, runs, wilson: ci },
    });
    const threshold = config.threshold?.value;
    if (outcome.verdict === 'pass' && params.requireLowerBound && threshold !== undefined && ci.lower < threshold)
      return { ...outcome, verdict: 'warn', reason: `${outcome.reason}; the lower bound is under ${formatValue(threshold, 'ratio')}` };
    return outcome;
  },
} satisfies Check<'eval'>;
