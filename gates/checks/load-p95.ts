import { z } from 'zod';
import { loadSummary } from '../../evals/report/index.js';
import { judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * 95th-percentile latency under load (the quality target is ≤ 5 s).
 *
 * @example
 *   load-p95: { threshold: { op: lte, value: 5000 }, baseline: { maxRegression: 500 }, weight: 2, veto: true }
 */
export const loadP95 = {
  id: 'load-p95',
  kind: 'load',
  title: 'Load p95 latency',
  unit: 'ms',
  description: 'p95 latency across the load runs.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, baseline, config }) =>
    judgeMetric({ value: loadSummary(report).p95Ms, baselineValue: baseline && loadSummary(baseline).p95Ms, config, unit: 'ms', note: `p50 ${Math.round(loadSummary(report).p50Ms)} ms, p99 ${Math.round(loadSummary(report).p99Ms)} ms (medians over runs)` }),
} satisfies Check<'load'>;
