import { z } from 'zod';
import { toolSuccessRate } from './eval-measures.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Tool calls that succeeded over tool calls made in judged runs (REQUIREMENTS §8: ≥ 98%).
 *
 * @example
 *   eval-tool-success: { threshold: { op: gte, value: 0.98 }, weight: 2, veto: true }
 */
export const evalToolSuccess = {
  id: 'eval-tool-success',
  kind: 'eval',
  title: 'Tool success rate',
  unit: 'ratio',
  description: 'Successful tool calls / tool calls in judged runs.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, baseline, config }) => {
    const { ok, calls, rate } = toolSuccessRate(report);
    if (rate === null) return inconclusive('the eval report has no judged runs');
    return judgeMetric({ value: rate, baselineValue: baseline ? toolSuccessRate(baseline).rate : null, config, unit: 'ratio', note: `${ok}/${calls} calls` });
  },
} satisfies Check<'eval'>;
