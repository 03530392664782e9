import { z } from 'zod';
import { severeFindings } from '../../evals/report/index.js';
import { judgeMetric } from './metric.js';
import type { Check } from './types.js';

/**
 * Critical + high security findings (the target is zero). A scanner check that could not run
 * (e.g. the dependency audit without its advisory endpoint) is never a pass: `inconclusiveChecks`
 * says whether it makes this check `warn` (PR) or `inconclusive` (release).
 *
 * @example
 *   security-findings: { threshold: { op: lte, value: 0 }, veto: true, params: { inconclusiveChecks: inconclusive } }
 */
export const securityFindings = {
  id: 'security-findings',
  kind: 'security',
  title: 'No critical or high security findings',
  unit: 'count',
  description: 'Critical and high findings across every scanner check.',
  paramsSchema: z.object({ inconclusiveChecks: z.enum(['warn', 'inconclusive']).default('inconclusive') }).strict(),
  evaluate: ({ report, config, params }) => {
    const severe = severeFindings(report.results);
    const failedChecks = report.summary.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    const unknown = report.summary.checks.filter((c) => c.status === 'inconclusive');
    const details = { findings: severe.slice(0, 50), failedChecks, inconclusiveChecks: unknown };
    const outcome = judgeMetric({ value: severe.length, config, unit: 'count', details });
    if (outcome.verdict === 'fail') return outcome;
    if (failedChecks.length) return { ...outcome, verdict: 'fail', reason: `scanner checks failed: ${failedChecks.join(', ')}` };
    if (unknown.length) {
      const why = unknown.map((c) => `${c.id}${c.detail ? ` (${c.detail})` : ''}`).join(', ');
      return { ...outcome, verdict: params.inconclusiveChecks === 'warn' ? 'warn' : 'inconclusive', reason: `${outcome.reason}; could not run: ${why}` };
    }
    return outcome;
  },
} satisfies Check<'security'>;
