import { z } from 'zod';
import { passRate } from '../../evals/report/index.js';
import { formatValue, inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Regression-set accuracy over gold/live runs (the quality target is ≥ 95 %), a harness error counting as a run that
 * did not pass, exactly as the eval report's summary.passRate; its Wilson lower bound is shown, and
 * `params.requireLowerBound` turns a lower bound under the threshold into a warn.
 *
 * @example
 *   eval-pass-rate: { threshold: { op: gte, value: 0.95 }, weight: 3, veto: true, params: { requireLowerBound: true } }
 */
export const evalPassRate = {
  id: 'eval-pass-rate',
  kind: 'eval',
  title: 'Eval pass rate',
  unit: 'ratio',
  description: 'Passed / gold or live runs (a harness error is a run that did not pass), with a 95% Wilson interval.',
  paramsSchema: z.object({ requireLowerBound: z.boolean().default(false) }).strict(),
  evaluate: ({ report, baseline, config, params }) => {
    const { passed, runs, rate, ci } = passRate(report.results);
    if (rate === null) return inconclusive('the eval report has no gold or live runs');
    const outcome = judgeMetric({
      value: rate,
      baselineValue: baseline ? passRate(baseline.results).rate : null,
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
