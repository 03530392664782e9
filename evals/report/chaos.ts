import type { ChaosReport, ChaosResult, ChaosSummary, SteadyState } from './envelope.js';
import { duplicatedIds } from './identity.js';

/**
 * The chaos summary from results alone, so `luminamind report merge` recomputes it the way the run did.
 *
 * @example
 *   summariseChaos(results); // { drills: 6, passed: 5, failed: 1 }
 */
export function summariseChaos(results: readonly ChaosResult[]): ChaosSummary {
  const passed = results.filter((r) => r.verdict === 'pass').length;
  return { drills: results.length, passed, failed: results.length - passed };
}

const PHASES = ['before', 'during', 'after'] as const;

/** Why a phase measured nothing (no request sent or answered), or undefined: a phase that measured nothing never held. */
export function phaseUnmeasured(name: (typeof PHASES)[number], s: SteadyState): string | undefined {
  if (s.requests === undefined || s.requests === 0) return `${name} phase measured nothing (${s.requests ?? 'no'} requests)`;
  return undefined;
}

/**
 * Why a drill did not hold and recover, or nothing: a harness error, a failed verdict, no recovery, recovery past
 * its deadline, or a phase whose probe measured nothing (which must never read as held).
 *
 * @example
 *   drillProblems(result); // ['during phase measured nothing (0 requests)']
 */
export function drillProblems(r: ChaosResult): string[] {
  if (r.error) return [`harness error: ${r.error.message}`];
  const problems: string[] = [];
  if (r.verdict === 'fail') problems.push('steady state not held');
  for (const name of PHASES) {
    const why = phaseUnmeasured(name, r[name]);
    if (why) problems.push(why);
  }
  if (r.recoverySeconds === null) problems.push('never recovered');
  else if (r.deadlineSeconds !== undefined && r.recoverySeconds > r.deadlineSeconds) problems.push(`recovered in ${r.recoverySeconds}s, deadline ${r.deadlineSeconds}s`);
  return problems;
}

/** Drills that failed to hold or recover, each with why (the gate's chaos-drills measure). */
export function failedDrills(results: readonly ChaosResult[]): { drill: string; why: string }[] {
  return results.flatMap((r) => {
    const problems = drillProblems(r);
    return problems.length ? [{ drill: r.drill, why: problems.join(', ') }] : [];
  });
}

/**
 * Why a chaos report cannot stand as evidence, or nothing: no drills, a drill twice, or a drill that claims it held
 * while a phase's probe measured nothing (an honest failure, with its error or verdict fail, is evidence; this is not).
 */
export function chaosIntegrity(report: Pick<ChaosReport, 'results'>): string[] {
  const problems: string[] = [];
  if (report.results.length === 0) problems.push('no drills ran');
  for (const r of report.results.filter((x) => !x.error && x.verdict === 'pass')) {
    const empty = PHASES.flatMap((name) => phaseUnmeasured(name, r[name]) ?? []);
    if (empty.length) problems.push(`drill ${r.drill} claims it held, but its ${empty.join(', ')}`);
  }
  const dup = duplicatedIds(report.results.map((r) => r.drill));
  if (dup.length) problems.push(`drills reported twice: ${dup.join(', ')}`);
  return problems;
}
