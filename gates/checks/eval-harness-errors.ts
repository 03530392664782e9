import { z } from 'zod';
import { harnessErrorRate } from './eval-measures.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * The harness's own error budget: runs where the harness (not the agent) failed. Over budget, the eval
 * evidence cannot be trusted, so this is kept apart from "the agent regressed".
 *
 * @example
 *   eval-harness-errors: { threshold: { op: lte, value: 0.05 }, warn: { op: lte, value: 0 }, veto: true }
 */
export const evalHarnessErrors = {
  id: 'eval-harness-errors',
  kind: 'eval',
  title: 'Harness error budget',
  unit: 'ratio',
  description: 'Results with a harness error / results.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, config }) => {
    const { errors, runs, rate } = harnessErrorRate(report);
    if (rate === null) return inconclusive('the eval report has no results');
    const codes = [...new Set(report.results.flatMap((r) => (r.error ? [r.error.code ?? r.error.message] : [])))].slice(0, 10);
    return judgeMetric({ value: rate, config, unit: 'ratio', note: `${errors}/${runs} runs errored${codes.length ? ` (${codes.join(', ')})` : ''}` });
  },
} satisfies Check<'eval'>;
