import { z } from 'zod';
import { loadSummary } from '../../evals/report/index.js';
import { judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Share of failed requests under load (the quality target is < 0.5%).
 *
 * @example
 *   load-error-rate: { threshold: { op: lt, value: 0.005 }, weight: 2, veto: true }
 */
export const loadErrorRate = {
  id: 'load-error-rate',
  kind: 'load',
  title: 'Load error rate',
  unit: 'ratio',
  description: 'Failed requests / requests across the load runs.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, baseline, config }) =>
    judgeMetric({ value: loadSummary(report).errorRate, baselineValue: baseline && loadSummary(baseline).errorRate, config, unit: 'ratio' }),
} satisfies Check<'load'>;
