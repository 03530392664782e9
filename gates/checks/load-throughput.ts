import { z } from 'zod';
import { judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Sustained throughput (REQUIREMENTS §8: ≥ 50 RPS).
 *
 * @example
 *   load-throughput: { threshold: { op: gte, value: 50 }, weight: 2, veto: true }
 */
export const loadThroughput = {
  id: 'load-throughput',
  kind: 'load',
  title: 'Load throughput',
  unit: 'rps',
  description: 'Requests per second across the load runs.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, baseline, config }) =>
    judgeMetric({ value: report.summary.rps, baselineValue: baseline?.summary.rps, config, unit: 'rps' }),
} satisfies Check<'load'>;
