import { z } from 'zod';
import { formatValue } from './checks/metric.js';
import type { CheckOutcome, CheckPolicy, Unit } from './checks/types.js';

/**
 * What a relative criterion reads from an earlier decision: which commit, under which policy, whether it promoted,
 * and each check's measured value. Any decision.json parses as one.
 */
export const PastDecisionSchema = z.object({
  createdAt: z.string(),
  commit: z.object({ sha: z.string() }),
  policy: z.object({ name: z.string() }),
  promote: z.boolean(),
  checks: z.array(z.object({ id: z.string(), measured: z.number().nullable() })),
});
export type PastDecision = z.infer<typeof PastDecisionSchema>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A relative criterion (Kayenta/Keptn style): the measured value against the median of the same check in the last
 * `window` accepted decisions (promoted, same policy, another commit). One noisy past run cannot move a median, and a
 * slow drift over many releases is still caught because only accepted decisions enter the window.
 * Returns the outcome to replace a pass or warn with, or undefined when the criterion holds (or is not configured).
 *
 * @example
 *   judgeRelative({ checkId: 'load-p95', outcome, config, unit: 'ms', history, policy: 'pr', commit: 'ab12…' })
 *   // → { verdict: 'fail', reason: '5210 ms regressed from 4100 ms (median of the last 5 accepted decisions) by more than 500 ms' }
 */
export function judgeRelative(args: { checkId: string; outcome: CheckOutcome; config: CheckPolicy; unit: Unit; history: readonly PastDecision[]; policy: string; commit: string }): CheckOutcome | undefined {
  const { checkId, outcome, config, unit, history, policy, commit } = args;
  const rule = config.relative;
  if (!rule || (outcome.verdict !== 'pass' && outcome.verdict !== 'warn') || outcome.measured === null) return undefined;
  const accepted = history
    .filter((d) => d.promote && d.policy.name === policy && d.commit.sha !== commit)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .flatMap((d) => {
      const value = d.checks.find((c) => c.id === checkId)?.measured;
      return typeof value === 'number' ? [{ sha: d.commit.sha, value }] : [];
    })
    .slice(0, rule.window);
  if (accepted.length === 0) {
    const reason = `no accepted ${policy} decision measured ${checkId} in the history to compare with`;
    return rule.required ? { ...outcome, verdict: 'inconclusive', reason: `${outcome.reason}; ${reason} (the relative criterion is required)` } : { ...outcome, reason: `${outcome.reason}; ${reason}` };
  }
  const reference = median(accepted.map((a) => a.value));
  const higherIsBetter = config.threshold?.op === 'gte' || config.threshold?.op === 'gt';
  const regression = higherIsBetter ? reference - outcome.measured : outcome.measured - reference;
  const against = `${formatValue(reference, unit)} (median of the last ${accepted.length} accepted decision${accepted.length === 1 ? '' : 's'})`;
  const details = { ...outcome.details, relative: { median: reference, window: rule.window, commits: accepted.map((a) => a.sha), maxRegression: rule.maxRegression } };
  if (regression > rule.maxRegression)
    return { ...outcome, verdict: 'fail', details, reason: `${formatValue(outcome.measured, unit)} regressed from ${against} by more than ${formatValue(rule.maxRegression, unit)}` };
  return { ...outcome, details, reason: `${outcome.reason}; within ${formatValue(rule.maxRegression, unit)} of ${against}` };
}
