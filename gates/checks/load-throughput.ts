import { z } from 'zod';
import { loadSummary } from '../../evals/report/index.js';
import { inconclusive, judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Sustained throughput (the quality target is ≥ 50 RPS). A fixed-rate run that offered fewer requests per second
 * than the threshold cannot show it (a smoke run at 8 req/s says nothing about capacity): inconclusive.
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
  evaluate: ({ report, baseline, config }) => {
    const offered = offeredRate(report.config);
    const needed = config.threshold?.op.startsWith('gt') ? config.threshold.value : undefined;
    if (offered !== undefined && needed !== undefined && offered < needed)
      return inconclusive(`the run offered only ${offered} req/s, so it cannot show ≥ ${needed} rps; run a profile that offers at least that (luminamind load --profile baseline)`, { offeredRps: offered, measuredRps: loadSummary(report).rps });
    return judgeMetric({ value: loadSummary(report).rps, baselineValue: baseline && loadSummary(baseline).rps, config, unit: 'rps' });
  },
} satisfies Check<'load'>;

/** The fixed request rate a load run offered (`config.profile.rate`), when the report says. */
function offeredRate(config: Record<string, unknown>): number | undefined {
  const rate = (config.profile as { rate?: unknown } | undefined)?.rate;
  return typeof rate === 'number' ? rate : undefined;
}
