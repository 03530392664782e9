import { z } from 'zod';
import { hallucinationRate } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Share of judged runs whose answer a hallucination grader flagged (the quality target is ≤ 2 %).
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
    const { flagged, judged, rate } = hallucinationRate(report.results);
    if (rate === null) return inconclusive('the eval report has no judged runs');
    return judgeMetric({ value: rate, baselineValue: baseline ? hallucinationRate(baseline.results).rate : null, config, unit: 'ratio', note: `${flagged}/${judged} judged runs flagged` });
  },
} satisfies Check<'eval'>;
