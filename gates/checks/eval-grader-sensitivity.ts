import { z } from 'zod';
import { sensitivity } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Mutation testing for graders (simulated mode): the share of faulty variants the graders caught, exactly as the
 * eval report's summary.sensitivity. A grader that lets a hallucinated figure through makes every other eval check meaningless.
 *
 * @example
 *   eval-grader-sensitivity: { threshold: { op: gte, value: 0.9 }, weight: 1 }
 */
export const evalGraderSensitivity = {
  id: 'eval-grader-sensitivity',
  kind: 'eval',
  title: 'Grader sensitivity (faulty variants caught)',
  unit: 'ratio',
  description: 'Faulty variants caught (failed without a harness error) / faulty variants run.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, config }) => {
    const { caught, faulty, rate, missed } = sensitivity(report.results);
    if (rate === null) return inconclusive(`no faulty variants in this ${report.mode} report`);
    return judgeMetric({ value: rate, config, unit: 'ratio', note: `${caught}/${faulty} caught`, details: { missed } });
  },
} satisfies Check<'eval'>;
