import type { EvalReport, EvalResult, EvalSummary } from './envelope.js';
import { duplicatedIds, groupId, resultId } from './identity.js';
import { mcnemarExact, passHatK, percentile, ratio, wilson, type ProportionInterval } from './stats.js';

/**
 * Every measure of an eval report, computed from its results alone. The eval summary (`summariseEval`) and the
 * gate's eval checks call these same functions, so a report and the gate can never disagree on the same results.
 *
 * Which runs count: the agent's quality is measured on the runs that should pass (gold, live variants), and a
 * harness error counts as a run that did not pass; faulty variants measure the graders (sensitivity).
 */

export const isFaulty = (r: Pick<EvalResult, 'variant'>): boolean => r.variant.startsWith('faulty:');
/** A result passed: its graders passed and the harness did not fail (a result with `error` never counts as a pass, whatever `pass` says). */
export const passed = (r: Pick<EvalResult, 'pass' | 'error'>): boolean => r.pass && !r.error;
/** Runs that judge the agent: gold or live variants, harness errors included (they did not pass). */
export const qualityRuns = (results: readonly EvalResult[]): EvalResult[] => results.filter((r) => !isFaulty(r));
/** Quality runs the harness completed: the agent was judged. */
export const judgedRuns = (results: readonly EvalResult[]): EvalResult[] => qualityRuns(results).filter((r) => !r.error);

export interface PassRate {
  passed: number;
  runs: number;
  /** null when no gold or live run exists: not measured. */
  rate: number | null;
  ci: ProportionInterval;
}

/** Passed / gold-or-live runs (a harness error is a run that did not pass), with its 95 % Wilson interval. */
export function passRate(results: readonly EvalResult[]): PassRate {
  const runs = qualityRuns(results);
  const ok = runs.filter(passed).length;
  return { passed: ok, runs: runs.length, rate: ratio(ok, runs.length), ci: wilson(ok, runs.length) };
}

/** Judged runs a hallucination grader flagged / judged runs. */
export function hallucinationRate(results: readonly EvalResult[]): { flagged: number; judged: number; rate: number | null } {
  const judged = judgedRuns(results);
  const flagged = judged.filter((r) => r.hallucinated).length;
  return { flagged, judged: judged.length, rate: ratio(flagged, judged.length) };
}

/** Tool calls that succeeded / tool calls made in judged runs; a failed call its case expected (an error-path case) is not a tool failure. */
export function toolSuccessRate(results: readonly EvalResult[]): { ok: number; calls: number; rate: number | null } {
  const calls = judgedRuns(results)
    .flatMap((r) => r.toolCalls)
    .filter((t) => !(t.expectedError && !t.ok));
  const ok = calls.filter((t) => t.ok).length;
  return { ok, calls: calls.length, rate: ratio(ok, calls.length) };
}

export interface PassK {
  k: number;
  /** (case, variant) groups of gold or live runs. */
  groups: number;
  /** Mean over groups of C(c,k)/C(n,k) (tau-bench's unbiased estimator); null without groups. */
  rate: number | null;
  /** The worst group: one flaky case cannot hide behind a good mean. */
  floor?: { group: string; value: number };
}

/** pass^k over (case, variant) groups of gold or live runs; faulty variants are meant to fail, so they are left out. */
export function passK(results: readonly EvalResult[], k: number): PassK {
  const groups = new Map<string, EvalResult[]>();
  for (const r of qualityRuns(results)) groups.set(groupId(r), [...(groups.get(groupId(r)) ?? []), r]);
  const perGroup = [...groups].map(([group, rs]) => ({ group, value: passHatK(rs.filter(passed).length, rs.length, k) }));
  const floor = perGroup.reduce<{ group: string; value: number } | undefined>((m, g) => (!m || g.value < m.value ? g : m), undefined);
  return { k, groups: perGroup.length, rate: perGroup.length ? perGroup.reduce((s, g) => s + g.value, 0) / perGroup.length : null, ...(floor ? { floor } : {}) };
}

/** Results the harness (not the agent) failed / results: the harness's own error budget. */
export function harnessErrors(results: readonly EvalResult[]): { errors: number; runs: number; rate: number | null; codes: string[] } {
  const errored = results.filter((r) => r.error);
  return { errors: errored.length, runs: results.length, rate: ratio(errored.length, results.length), codes: [...new Set(errored.map((r) => r.error!.code ?? r.error!.message))] };
}

/** Simulated mode: gold runs passed / gold runs (null without gold runs). */
export function specificity(results: readonly EvalResult[]): { passed: number; gold: number; rate: number | null } {
  const gold = results.filter((r) => r.variant === 'gold');
  const ok = gold.filter(passed).length;
  return { passed: ok, gold: gold.length, rate: ratio(ok, gold.length) };
}

/** Simulated mode: faulty runs caught (failed without a harness error) / faulty runs; an errored faulty run was not caught. */
export function sensitivity(results: readonly EvalResult[]): { caught: number; faulty: number; rate: number | null; missed: string[] } {
  const faulty = results.filter(isFaulty);
  const caught = faulty.filter((r) => !r.pass && !r.error);
  return { caught: caught.length, faulty: faulty.length, rate: ratio(caught.length, faulty.length), missed: faulty.filter((r) => r.pass || r.error).map(resultId) };
}

/** A run went as it should: gold and live runs pass, faulty variants are caught (fail without a harness error). */
export function asExpected(r: EvalResult): boolean {
  return isFaulty(r) ? !r.pass && !r.error : passed(r);
}

export interface Comparison {
  verdict: 'regressed' | 'improved' | 'no significant change';
  pValue: number;
  /** Pairs that went as expected in the baseline and not in the candidate, by resultId. */
  regressed: string[];
  improved: string[];
  pairs: number;
  alpha: number;
}

/**
 * Exact McNemar test over results paired by resultId (case, variant, repeat); unpaired results are ignored. A pair is
 * concordant when both runs went as expected (asExpected) or both did not; harness errors never go as expected.
 * `luminamind eval compare` and the gate's eval-baseline check both call this.
 *
 * @example
 *   compareResults(base.results, candidate.results); // { verdict: 'regressed', pValue: 0.0215, regressed: ['fs-owner gold#0', …], … }
 */
export function compareResults(base: readonly EvalResult[], candidate: readonly EvalResult[], alpha = 0.05): Comparison {
  const baseline = new Map(base.map((r) => [resultId(r), r]));
  const regressed: string[] = [];
  const improved: string[] = [];
  let pairs = 0;
  for (const c of candidate) {
    const b = baseline.get(resultId(c));
    if (!b) continue;
    pairs++;
    if (asExpected(b) && !asExpected(c)) regressed.push(resultId(c));
    if (!asExpected(b) && asExpected(c)) improved.push(resultId(c));
  }
  const pValue = mcnemarExact(regressed.length, improved.length);
  const verdict = pValue < alpha ? (regressed.length > improved.length ? 'regressed' : 'improved') : 'no significant change';
  return { verdict, pValue, regressed, improved, pairs, alpha };
}

export function compareReports(base: EvalReport, candidate: EvalReport, alpha = 0.05): Comparison {
  return compareResults(base.results, candidate.results, alpha);
}

function perGrader(results: readonly EvalResult[]): NonNullable<EvalSummary['perGrader']> {
  const out: NonNullable<EvalSummary['perGrader']> = {};
  const tallies = new Map<string, { goldRuns: number; goldPassed: number; faultyRuns: number; faultyCaught: number }>();
  for (const r of results.filter((x) => !x.error))
    for (const g of r.graders) {
      const e = (out[g.id] ??= { runs: 0, passed: 0, skipped: 0 });
      if (g.skipped) {
        e.skipped++;
        continue;
      }
      e.runs++;
      if (g.pass) e.passed++;
      const t = tallies.get(g.id) ?? { goldRuns: 0, goldPassed: 0, faultyRuns: 0, faultyCaught: 0 };
      if (r.variant === 'gold') {
        t.goldRuns++;
        if (g.pass) t.goldPassed++;
      } else if (isFaulty(r)) {
        t.faultyRuns++;
        if (!g.pass) t.faultyCaught++;
      }
      tallies.set(g.id, t);
    }
  if (results.some((r) => r.variant === 'gold' || isFaulty(r)))
    for (const [id, t] of tallies) Object.assign(out[id]!, { specificity: ratio(t.goldPassed, t.goldRuns), sensitivity: ratio(t.faultyCaught, t.faultyRuns) });
  return out;
}

export type GroupState = 'pass' | 'fail' | 'flaky';

/**
 * Per (case, variant) group: its judged runs, those that went as expected, the rate, and its state over the
 * repeats. Harness errors are left out: they say nothing about the agent, so they make nothing flaky.
 */
export function perCase(results: readonly EvalResult[]): Record<string, { runs: number; passed: number; passRate: number; state: GroupState }> {
  const out: Record<string, { runs: number; passed: number; passRate: number; state: GroupState }> = {};
  for (const r of results.filter((x) => !x.error)) {
    const e = (out[groupId(r)] ??= { runs: 0, passed: 0, passRate: 0, state: 'pass' });
    e.runs++;
    if (asExpected(r)) e.passed++;
    e.passRate = e.passed / e.runs;
    e.state = e.passed === e.runs ? 'pass' : e.passed === 0 ? 'fail' : 'flaky';
  }
  return out;
}

/** Groups whose repeats both went as expected and did not: a verdict the same code does not give twice. */
export function flakyGroups(results: readonly EvalResult[]): string[] {
  return Object.entries(perCase(results))
    .filter(([, g]) => g.state === 'flaky')
    .map(([id]) => id);
}

export interface Flips {
  /** Went as expected in every baseline repeat, in none of the candidate's. */
  regressed: string[];
  /** The other way round. */
  fixed: string[];
  /** Flaky in the candidate, not in the baseline. */
  newlyFlaky: string[];
  /** Flaky in the baseline, steady (either way) in the candidate. */
  steadied: string[];
}

/**
 * Per (case, variant) group, how the candidate's verdict moved from the baseline's (groups in both only). With
 * --repeat a group is pass, fail or flaky over its repeats, so a single unlucky run is not called a regression.
 *
 * @example
 *   flipsAgainst(base.results, cand.results); // { regressed: ['fs-owner gold'], fixed: [], newlyFlaky: [], steadied: [] }
 */
export function flipsAgainst(base: readonly EvalResult[], candidate: readonly EvalResult[]): Flips {
  const b = perCase(base);
  const flips: Flips = { regressed: [], fixed: [], newlyFlaky: [], steadied: [] };
  for (const [id, c] of Object.entries(perCase(candidate))) {
    const was = b[id]?.state;
    if (!was || was === c.state) continue;
    if (c.state === 'flaky') flips.newlyFlaky.push(id);
    else if (was === 'flaky') flips.steadied.push(id);
    else (c.state === 'fail' ? flips.regressed : flips.fixed).push(id);
  }
  return flips;
}

/** The judges' calls, tokens and cost over the results: never part of the agent's own tokens or cost. */
export function judgeUsage(results: readonly EvalResult[]): { calls: number; input: number; output: number; costUsd: number } {
  return results.reduce((a, r) => ({ calls: a.calls + (r.judgeUsage?.calls ?? 0), input: a.input + (r.judgeUsage?.input ?? 0), output: a.output + (r.judgeUsage?.output ?? 0), costUsd: a.costUsd + (r.judgeUsage?.costUsd ?? 0) }), { calls: 0, input: 0, output: 0, costUsd: 0 });
}

/**
 * The eval summary, recomputed from results alone (so merged reports stay consistent) with the measures above.
 * A measure over nothing is written as its neutral value (pass rate 0, tool success 1), since the envelope
 * wants numbers; the gate reads the measures themselves and calls such a value "not measured".
 *
 * @example
 *   const summary = summariseEval(results, 3); // passK.k = 3
 */
export function summariseEval(results: readonly EvalResult[], k = 1): EvalSummary {
  const pr = passRate(results);
  const pk = passK(results, k);
  const spec = specificity(results);
  const sens = sensitivity(results);
  const simulated = spec.gold + sens.faulty > 0;
  const perCategory: NonNullable<EvalSummary['perCategory']> = {};
  for (const r of qualityRuns(results)) {
    const e = (perCategory[r.category] ??= { runs: 0, passed: 0, passRate: 0 });
    e.runs++;
    if (passed(r)) e.passed++;
    e.passRate = e.passed / e.runs;
  }
  const latencies = results.filter((r) => !r.error).map((r) => r.latencyMs);
  return {
    runs: results.length,
    cases: new Set(results.map((r) => r.caseId)).size,
    passRate: pr.rate ?? 0,
    passRateCi: pr.ci,
    hallucinationRate: hallucinationRate(results).rate ?? 0,
    toolSuccessRate: toolSuccessRate(results).rate ?? 1,
    passK: { k, rate: pk.rate ?? 0, ...(pk.floor ? { floor: pk.floor.value, floorCase: pk.floor.group } : {}) },
    ...(simulated ? { specificity: spec.rate, sensitivity: sens.rate } : {}),
    harnessErrorRate: harnessErrors(results).rate ?? 0,
    costUsd: results.reduce((s, r) => s + r.costUsd, 0),
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    latencyP99Ms: percentile(latencies, 99),
    tokens: { input: results.reduce((s, r) => s + r.tokens.input, 0), output: results.reduce((s, r) => s + r.tokens.output, 0) },
    overBudget: qualityRuns(results).filter((r) => r.failure?.kind === 'budget').length,
    flaky: flakyGroups(results),
    perCase: Object.fromEntries(Object.entries(perCase(results)).map(([id, g]) => [id, { runs: g.runs, passed: g.passed, passRate: g.passRate }])),
    ...(results.some((r) => r.judgeUsage) ? { judgeUsage: judgeUsage(results) } : {}),
    perCategory,
    perGrader: perGrader(results),
  };
}

/**
 * Why an eval report cannot stand as evidence, or nothing: duplicated results, and results its plan does not list or
 * planned results it lacks. (A summary that its results do not give cannot fool the gate: it measures the results.)
 *
 * @example
 *   evalIntegrity(report); // ['result fs-owner gold#0 appears twice', …]
 */
export function evalIntegrity(report: Pick<EvalReport, 'results' | 'plan'>): string[] {
  const problems: string[] = [];
  const ids = report.results.map(resultId);
  const dup = duplicatedIds(ids);
  if (dup.length) problems.push(`duplicated results: ${dup.slice(0, 5).join(', ')}${dup.length > 5 ? ` and ${dup.length - 5} more` : ''}`);
  if (report.plan) {
    const have = new Set(ids);
    const planned = new Set(report.plan);
    const missing = report.plan.filter((id) => !have.has(id));
    const unplanned = ids.filter((id) => !planned.has(id));
    if (missing.length) problems.push(`${missing.length} planned result(s) missing: ${missing.slice(0, 5).join(', ')}`);
    if (unplanned.length) problems.push(`${unplanned.length} result(s) not in the plan: ${unplanned.slice(0, 5).join(', ')}`);
  } else problems.push('the report has no plan, so a missing case cannot be told from one never meant to run');
  if (report.results.length === 0) problems.push('no results');
  return problems;
}

/** Gold failures and uncaught faulty variants (simulated) or failures (live/replay), each with the graders' reasons. */
export function problemsOf(results: readonly EvalResult[]): string[] {
  return results.flatMap((r) => {
    const id = resultId(r);
    if (r.error) return [`HARNESS ERROR ${id}: [${r.error.code ?? ''}] ${r.error.message.split('\n')[0]}`];
    if (!isFaulty(r) && r.failure?.kind === 'budget') return [`OVER BUDGET ${id}: ${r.failure.reason}`];
    if (isFaulty(r) && r.pass) return [`UNCAUGHT ${id}: every grader passed (${r.graders.filter((g) => !g.skipped).map((g) => g.id).join(', ')})`];
    if (!isFaulty(r) && !passed(r)) return [`${r.variant === 'gold' ? 'GOLD FAIL' : 'FAIL'} ${id}: ${r.graders.filter((g) => !g.pass && !g.skipped).map((g) => `${g.id}: ${g.reason}`).join(' | ')}`];
    return [];
  });
}
