import { z } from 'zod';
import { toolSuccessRate } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Tool calls that succeeded over tool calls made in judged runs (the quality target is ≥ 98 %).
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
    const { ok, calls, rate } = toolSuccessRate(report.results);
    if (rate === null) return inconclusive('no tool call in a judged run: tool success not measured');
    return judgeMetric({ value: rate, baselineValue: baseline ? toolSuccessRate(baseline.results).rate : null, config, unit: 'ratio', note: `${ok}/${calls} calls` });
  },
} satisfies Check<'eval'>;
