import { z } from 'zod';
import { compareResults } from '../../evals/report/index.js';
import { inconclusive } from './metric.js';
import type { Check } from './types.js';

/**
 * No significant regression against the baseline eval report: exact McNemar over results paired by resultId, the same
 * comparison as `luminamind eval compare`. Measured: pairs that regressed (went as expected in the baseline, not now);
 * the p-value is in the reason. Fail when more pairs regressed than improved with p < alpha; warn when some regressed
 * without significance. Without a baseline: inconclusive.
 *
 * @example
 *   eval-baseline: { weight: 2, veto: true, params: { alpha: 0.05 } }
 */
export const evalBaseline = {
  id: 'eval-baseline',
  kind: 'eval',
  title: 'No regression vs baseline (McNemar)',
  unit: 'count',
  description: 'Pairs that regressed against the baseline eval report, judged by an exact McNemar test.',
  paramsSchema: z.object({ alpha: z.number().gt(0).lt(1).default(0.05) }).strict(),
  evaluate: ({ report, baseline, params }) => {
    if (!baseline) return inconclusive('no baseline eval report to compare with (--baselines DIR/eval/report.json)');
    const alpha = Number(params.alpha ?? 0.05);
    const c = compareResults(baseline.results, report.results, alpha);
    if (c.pairs === 0) return inconclusive('no results pair with the baseline by case, variant and repeat');
    const details = { paired: c.pairs, regressed: c.regressed, improved: c.improved, pValue: c.pValue, alpha };
    const base = `${c.regressed.length} of ${c.pairs} pairs regressed, ${c.improved.length} improved (exact McNemar p=${c.pValue.toPrecision(3)})`;
    const measured = c.regressed.length;
    if (c.verdict === 'regressed') return { verdict: 'fail', measured, reason: `${base}, p < α=${alpha}: significant regression`, details };
    if (c.regressed.length > 0) return { verdict: 'warn', measured, reason: `${base}, not significant at α=${alpha}: no significant regression`, details };
    return { verdict: 'pass', measured, reason: `${base}: no regression`, details };
  },
} satisfies Check<'eval'>;
