import { z } from 'zod';
import { inconclusive } from './metric.js';
import type { Check } from './types.js';

/**
 * No significant regression against the load baseline. The load tool owns the noise-aware comparison;
 * the gate reads its verdict (`summary.comparison`) and never re-derives it. No comparison: inconclusive.
 *
 * @example
 *   load-baseline: { weight: 1, veto: true }
 */
export const loadBaseline = {
  id: 'load-baseline',
  kind: 'load',
  title: 'No regression vs load baseline',
  unit: 'p',
  description: "The load report's own comparison verdict against its baseline.",
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report }) => {
    const c = report.summary.comparison;
    if (!c) return inconclusive('the load report carries no baseline comparison');
    const measured = c.pValue ?? null;
    const why = `${c.verdict} vs ${c.baseline}${c.pValue !== undefined ? ` (p=${c.pValue.toPrecision(3)})` : ''}${c.reason ? `: ${c.reason}` : ''}`;
    const details = { comparison: c };
    switch (c.verdict) {
      case 'same':
      case 'improved':
        return { verdict: 'pass', measured, reason: why, details };
      case 'regressed':
        return { verdict: 'fail', measured, reason: why, details };
      case 'inconclusive':
        return { verdict: 'inconclusive', measured, reason: why, details };
    }
  },
} satisfies Check<'load'>;
