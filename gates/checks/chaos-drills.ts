import { z } from 'zod';
import { failedDrills } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Every chaos drill held its steady state and recovered within its deadline. Measured: drills that did not (failed
 * verdict, no recovery, recovery past `deadlineSeconds`, a phase whose probe measured nothing, or a harness error).
 * `params.requiredDrills` lists drills that must be in the report.
 *
 * @example
 *   chaos-drills: { threshold: { op: lte, value: 0 }, veto: true, params: { requiredDrills: [redis-kill] } }
 */
export const chaosDrills = {
  id: 'chaos-drills',
  kind: 'chaos',
  title: 'Chaos drills held and recovered',
  unit: 'count',
  description: 'Drills that failed, measured nothing or recovered late.',
  paramsSchema: z.object({ requiredDrills: z.array(z.string()).default([]) }).strict(),
  evaluate: ({ report, config, params }) => {
    if (report.results.length === 0) return inconclusive('the chaos report ran no drills');
    const required = (params.requiredDrills as string[] | undefined) ?? [];
    const absent = required.filter((d) => !report.results.some((r) => r.drill === d));
    if (absent.length) return inconclusive(`required drills not run: ${absent.join(', ')}`);
    const failed = failedDrills(report.results);
    const note = failed.length ? failed.map((f) => `${f.drill}: ${f.why}`).join('; ') : `${report.results.length} drills`;
    return judgeMetric({ value: failed.length, config, unit: 'count', note, details: { failed } });
  },
} satisfies Check<'chaos'>;
