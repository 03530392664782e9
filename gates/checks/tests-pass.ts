import { z } from 'zod';
import { testOutcome } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * The test suite that measured coverage passed. Measured: failed tests plus test files that failed as a whole (a file
 * that cannot load has no failed test, only a failed file). Whatever the counts, a runner that said `success: false`,
 * ran no test, or exited non-zero fails this check.
 *
 * @example
 *   tests-pass: { threshold: { op: lte, value: 0 }, weight: 3, veto: true }
 */
export const testsPass = {
  id: 'tests-pass',
  kind: 'coverage',
  title: 'Test suite passes',
  unit: 'count',
  description: 'Failed tests plus failed test files in the run that measured coverage.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, config }) => {
    const outcome = testOutcome(report.summary);
    if (!outcome) return inconclusive('the coverage report carries no test outcome (run `npm run test:coverage` through the gate)');
    const t = report.summary.tests!;
    const stage = report.stage;
    const problems = [...outcome.problems, ...(stage && (stage.exitCode !== 0 || stage.timedOut) ? [`${stage.command} ${stage.timedOut ? 'timed out' : `exited ${stage.exitCode ?? 'on a signal'}`}`] : [])];
    const note = `${outcome.failedTests} failed test(s), ${outcome.failedFiles} failed file(s); ${t.passed} passed, ${t.skipped} skipped`;
    const judged = judgeMetric({ value: outcome.failed, config, unit: 'count', note });
    // Whatever the threshold allows, a run that said it failed (or ran nothing) did not pass.
    if (problems.length) return { ...judged, verdict: 'fail', reason: `${problems.join('; ')}: ${judged.reason}` };
    return judged;
  },
} satisfies Check<'coverage'>;
