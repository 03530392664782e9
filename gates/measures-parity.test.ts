import { beforeAll, describe, expect, it } from 'vitest';
import { compareReports, mergeReports, summariseEval, type EvalReport, type Report, type ReportKind } from '../evals/report/index.js';
import type { CheckId } from './checks/types.js';
import { decide, type Decision } from './decide.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import { FIXTURE_COMMIT, baselineReports, evidenceOf, passingReports } from './fixtures.test-support.js';

const NOW = '2025-06-02T00:00:00Z';
let pr: LoadedPolicy;
beforeAll(async () => {
  pr = await loadPolicy('pr');
});

function gate(report: EvalReport, baseline?: EvalReport): Decision {
  const reports = { ...passingReports(), eval: report };
  return decide(evidenceOf(reports as unknown as Record<ReportKind, Report>), baseline ? evidenceOf({ eval: baseline }, 'base') : {}, pr, { commit: FIXTURE_COMMIT, now: NOW });
}
const measured = (d: Decision, id: CheckId) => d.checks.find((c) => c.id === id)!.measured;

/** Splits a report into two shards as `luminamind eval --shard i/2` would, each with its share of the plan. */
function shards(report: EvalReport): [EvalReport, EvalReport] {
  const half = (i: number): EvalReport => {
    const results = report.results.filter((_, idx) => idx % 2 === i);
    return { ...structuredClone(report), runId: `shard-${i + 1}`, config: { ...report.config, shard: `${i + 1}/2` }, plan: report.plan!.filter((_, idx) => idx % 2 === i), results, summary: summariseEval(results, report.summary.passK.k) };
  };
  return [half(0), half(1)];
}

describe('one source of truth: the eval summary and the gate measure the same results the same way', () => {
  it('with 5 harness-errored gold runs merged into an eval report, the gate pass rate equals the report pass rate', async () => {
    const [a, b] = shards(passingReports().eval);
    b.results.filter((r) => r.variant === 'gold').slice(0, 5).forEach((r) => Object.assign(r, { pass: false, error: { code: 'EVL_ERR_TIMEOUT', message: 'timed out' } }));
    b.summary = summariseEval(b.results, b.summary.passK.k);
    const merged = (await mergeReports([{ source: 'a.json', report: a }, { source: 'b.json', report: b }])) as EvalReport;
    expect(merged.results).toHaveLength(130);
    expect(merged.summary.passRate).toBeCloseTo(115 / 120, 12);
    const d = gate(merged);
    expect(measured(d, 'eval-pass-rate')).toBe(merged.summary.passRate);
    expect(measured(d, 'eval-harness-errors')).toBe(merged.summary.harnessErrorRate);
  });

  it('every eval measure, through the summary and through the gate checks, on one fixture with every kind of outcome', () => {
    const report = passingReports().eval;
    const gold = report.results.filter((r) => r.variant === 'gold');
    const faulty = report.results.filter((r) => r.variant !== 'gold');
    gold.slice(0, 4).forEach((r) => (r.pass = false));
    gold.slice(10, 12).forEach((r) => (r.error = { message: 'grader crashed' }));
    gold.slice(20, 23).forEach((r) => (r.hallucinated = true));
    gold.slice(30, 35).forEach((r) => r.toolCalls.forEach((t) => (t.ok = false)));
    gold.slice(40, 42).forEach((r) => r.toolCalls.forEach((t) => Object.assign(t, { ok: false, expectedError: true })));
    faulty.slice(0, 2).forEach((r) => (r.pass = true));
    faulty[3]!.error = { message: 'no cassette' };
    const summary = summariseEval(report.results, report.summary.passK.k);
    report.summary = summary;

    const baseline = baselineReports().eval;
    const d = gate(report, baseline);
    const pairs: [CheckId, number | null | undefined][] = [
      ['eval-pass-rate', summary.passRate],
      ['eval-hallucination', summary.hallucinationRate],
      ['eval-tool-success', summary.toolSuccessRate],
      ['eval-pass-k', summary.passK.rate],
      ['eval-grader-sensitivity', summary.sensitivity],
      ['eval-harness-errors', summary.harnessErrorRate],
    ];
    for (const [id, value] of pairs) expect(measured(d, id), id).toBe(value);
    // The values differ from the all-passing fixture's, so the equalities above are not about neutral values.
    expect(new Set(pairs.map(([, v]) => v)).size).toBeGreaterThan(3);
    expect(summary.passRate).toBeLessThan(1);

    const wilson = d.checks.find((c) => c.id === 'eval-pass-rate')!.details!.wilson;
    expect(wilson).toEqual(summary.passRateCi);

    const compared = compareReports(baseline, report);
    const gated = d.checks.find((c) => c.id === 'eval-baseline')!;
    expect(gated.details).toMatchObject({ paired: compared.pairs, regressed: compared.regressed, improved: compared.improved, pValue: compared.pValue });
    expect(gated.measured).toBe(compared.regressed.length);
    expect(compared.regressed.length).toBeGreaterThan(0);
  });
});
