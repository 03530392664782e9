import { z } from 'zod';
import { judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Line coverage of the test suite (v8) (the quality target is ≥ 80 %); optionally no drop of more than
 * `baseline.maxRegression` points against the baseline coverage report.
 *
 * @example
 *   coverage-lines: { threshold: { op: gte, value: 80 }, baseline: { maxRegression: 2 }, weight: 2, veto: true }
 */
export const coverageLines = {
  id: 'coverage-lines',
  kind: 'coverage',
  title: 'Line coverage',
  unit: 'pct',
  description: 'Share of source lines executed by the test suite.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, baseline, config }) =>
    judgeMetric({
      value: report.summary.lines.pct,
      baselineValue: baseline?.summary.lines.pct,
      config,
      unit: 'pct',
      note: `branches ${report.summary.branches.pct.toFixed(1)}%, functions ${report.summary.functions.pct.toFixed(1)}%`,
    }),
} satisfies Check<'coverage'>;
