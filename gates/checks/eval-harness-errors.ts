import { z } from 'zod';
import { harnessErrors } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * The harness's own error budget: runs where the harness (not the agent) failed. Over budget, the eval
 * evidence cannot be trusted, so this is kept apart from "the agent regressed".
 *
 * @example
 *   eval-harness-errors: { threshold: { op: lte, value: 0 }, veto: true }
 */
export const evalHarnessErrors = {
  id: 'eval-harness-errors',
  kind: 'eval',
  title: 'Harness error budget',
  unit: 'ratio',
  description: 'Results with a harness error / results.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, config }) => {
    const { errors, runs, rate, codes } = harnessErrors(report.results);
    if (rate === null) return inconclusive('the eval report has no results');
    return judgeMetric({ value: rate, config, unit: 'ratio', note: `${errors}/${runs} runs errored${codes.length ? ` (${codes.slice(0, 10).join(', ')})` : ''}` });
  },
} satisfies Check<'eval'>;
