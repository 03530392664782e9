import { z } from 'zod';
import { hallucinationRate } from './eval-measures.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Share of judged runs whose answer a hallucination grader flagged (REQUIREMENTS §8: ≤ 2%).
 *
 * @example
 *   eval-hallucination: { threshold: { op: lte, value: 0.02 }, weight: 3, veto: true }
 */
export const evalHallucination = {
  id: 'eval-hallucination',
  kind: 'eval',
  title: 'Hallucination rate',
  unit: 'ratio',
  description: 'Judged runs flagged as hallucinated / judged runs.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, baseline, config }) => {
    const value = hallucinationRate(report);
    if (value === null) return inconclusive('the eval report has no judged runs');
    return judgeMetric({ value, baselineValue: baseline ? hallucinationRate(baseline) : null, config, unit: 'ratio' });
  },
} satisfies Check<'eval'>;
