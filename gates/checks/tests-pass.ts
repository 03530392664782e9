import { z } from 'zod';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * The test suite that measured coverage passed: failed tests ≤ threshold (0). Read from the coverage report.
 *
 * @example
 *   tests-pass: { threshold: { op: lte, value: 0 }, weight: 3, veto: true }
 */
export const testsPass = {
  id: 'tests-pass',
  kind: 'coverage',
  title: 'Test suite passes',
  unit: 'count',
  description: 'Failed tests in the run that measured coverage.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, config }) => {
    const tests = report.summary.tests;
    if (!tests) return inconclusive('the coverage report carries no test outcome (run `npm run test:coverage` through the gate)');
    return judgeMetric({ value: tests.failed, config, unit: 'count', note: `${tests.passed} passed, ${tests.skipped} skipped` });
  },
} satisfies Check<'coverage'>;
