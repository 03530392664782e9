import { z } from 'zod';
import { faultyRuns } from './eval-measures.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Mutation testing for graders (simulated mode): the share of faulty variants the graders caught.
 * A grader that lets a hallucinated figure through makes every other eval check meaningless.
 *
 * @example
 *   eval-grader-sensitivity: { threshold: { op: gte, value: 0.9 }, weight: 1 }
 */
export const evalGraderSensitivity = {
  id: 'eval-grader-sensitivity',
  kind: 'eval',
  title: 'Grader sensitivity (faulty variants caught)',
  unit: 'ratio',
  description: 'Faulty variants that failed / faulty variants run.',
  paramsSchema: z.object({}).strict(),
  evaluate: ({ report, config }) => {
    const faulty = faultyRuns(report);
    if (faulty.length === 0) return inconclusive(`no faulty variants in this ${report.mode} report`);
    const caught = faulty.filter((r) => !r.pass);
    const missed = faulty.filter((r) => r.pass).map((r) => ({ caseId: r.caseId, variant: r.variant, repeat: r.repeat }));
    return judgeMetric({ value: caught.length / faulty.length, config, unit: 'ratio', note: `${caught.length}/${faulty.length} caught`, details: { missed } });
  },
} satisfies Check<'eval'>;
