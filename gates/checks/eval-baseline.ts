import { z } from 'zod';
import { mcnemarExact } from '../stats.js';
import { flips } from './eval-measures.js';
import { formatValue, inconclusive } from './metric.js';
import type { Check } from './types.js';

/**
 * No significant regression against the baseline eval report: exact McNemar over results paired by
 * caseId, variant and repeat. Fail when more pairs regressed than improved with p < alpha; warn when
 * some regressed without significance. Without a baseline: inconclusive.
 *
 * @example
 *   eval-baseline: { weight: 2, veto: true, params: { alpha: 0.05 } }
 */
export const evalBaseline = {
  id: 'eval-baseline',
  kind: 'eval',
  title: 'No regression vs baseline (McNemar)',
  unit: 'p',
  description: 'Exact McNemar p-value over pass/fail flips against the baseline eval report.',
  paramsSchema: z.object({ alpha: z.number().gt(0).lt(1).default(0.05) }).strict(),
  evaluate: ({ report, baseline, params }) => {
    if (!baseline) return inconclusive('no baseline eval report to compare with (--baselines DIR/eval/report.json)');
    const { paired, regressed, improved } = flips(baseline, report);
    if (paired === 0) return inconclusive('no results pair with the baseline by caseId, variant and repeat');
    const test = mcnemarExact(regressed.length, improved.length);
    const alpha = Number(params.alpha ?? 0.05);
    const details = { paired, regressed, improved, pValue: test.pValue, alpha };
    const base = `${paired} pairs: ${regressed.length} regressed, ${improved.length} improved, ${formatValue(test.pValue, 'p')}`;
    if (regressed.length > improved.length && test.pValue < alpha)
      return { verdict: 'fail', measured: test.pValue, reason: `significant regression: ${base} < α=${alpha}`, details };
    if (regressed.length > 0) return { verdict: 'warn', measured: test.pValue, reason: `${base}; not significant at α=${alpha}`, details };
    return { verdict: 'pass', measured: test.pValue, reason: base, details };
  },
} satisfies Check<'eval'>;
