import { z } from 'zod';
import { inconclusive } from './metric.js';
import type { Check } from './types.js';

/**
 * No significant regression against the load baseline: with `load --against` (what the gate's stage runs) that is REF
 * served beside the candidate in the same run and judged pair by pair (`method: 'paired'`); else the stored baseline. The report package owns the noise-aware comparison (load
 * writes it, report merge recomputes it); the gate reads its verdict (`summary.comparison`) and never re-derives it.
 * Measured: the largest relative change of a compared latency percentile (+7 % = 7 % slower), what the verdict's
 * floors speak of; p-values are in the reason. No comparison: inconclusive.
 *
 * @example
 *   load-baseline: { weight: 1, veto: true }
 */
export const loadBaseline = {
  id: 'load-baseline',
  kind: 'load',
  title: 'No regression vs load baseline',
  unit: 'change',
  description: "The load report's own comparison verdict: paired against REF in the same run (load --against) or against the stored baseline; measured: the largest relative latency change.",
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report }) => {
    const c = report.summary.comparison;
    if (!c) return inconclusive('the load report carries no baseline comparison');
    const measured = c.maxRelativeChange ?? null;
    const how = c.method === 'paired' ? ` (paired, same run${c.against?.selfComparison ? ', A/A' : ''}${c.cpuRelativeChange !== undefined ? `; CPU/request ${(c.cpuRelativeChange * 100).toFixed(1)} %` : ''})` : '';
    const why = `${c.verdict} vs ${c.baseline}${how}${c.reason ? `: ${c.reason}` : ''}`;
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
