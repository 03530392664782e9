import { beforeAll, describe, expect, it } from 'vitest';
import type { Report, ReportKind } from '../evals/report/index.js';
import type { CheckId, CheckPolicy, Verdict } from './checks/types.js';
import { decide } from './decide.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import { FIXTURE_COMMIT, baselineReports, evidenceOf, passingReports, type FixtureReports } from './fixtures.test-support.js';

const NOW = '2025-06-02T00:00:00Z';
let pr: LoadedPolicy;
let release: LoadedPolicy;
beforeAll(async () => {
  pr = await loadPolicy('pr');
  release = await loadPolicy('release');
});

interface Scenario {
  check: CheckId;
  verdict: Verdict;
  name: string;
  mutate?: (r: FixtureReports, b: Partial<FixtureReports>) => void;
  /** Overrides the pr policy's config of this check (for verdicts its defaults cannot produce). */
  config?: Partial<CheckPolicy>;
  policy?: 'release';
}

const failRuns = (r: FixtureReports, n: number, pick = (i: number) => i) => {
  const gold = r.eval.results.filter((x) => x.variant === 'gold');
  for (let i = 0; i < n; i++) Object.assign(gold[pick(i)]!, { pass: false });
};
const drill = (r: FixtureReports) => r.chaos.results[0]!;

const SCENARIOS: Scenario[] = [
  { check: 'tests-pass', verdict: 'pass', name: 'no test failed' },
  { check: 'tests-pass', verdict: 'fail', name: '2 tests failed', mutate: (r) => (r.coverage.summary.tests!.failed = 2) },
  { check: 'tests-pass', verdict: 'warn', name: 'failures within a lenient threshold', mutate: (r) => (r.coverage.summary.tests!.failed = 2), config: { threshold: { op: 'lte', value: 5 }, warn: { op: 'lte', value: 0 } } },
  { check: 'tests-pass', verdict: 'inconclusive', name: 'no test outcome', mutate: (r) => delete r.coverage.summary.tests },

  { check: 'coverage-lines', verdict: 'pass', name: '88% lines' },
  { check: 'coverage-lines', verdict: 'warn', name: '82% lines (warn bound 85%)', mutate: (r, b) => ((r.coverage.summary.lines.pct = 82), (b.coverage!.summary.lines.pct = 82)) },
  { check: 'coverage-lines', verdict: 'fail', name: '70% lines', mutate: (r) => (r.coverage.summary.lines.pct = 70) },
  { check: 'coverage-lines', verdict: 'fail', name: 'dropped 3 points vs baseline', mutate: (r, b) => ((r.coverage.summary.lines.pct = 86), (b.coverage!.summary.lines.pct = 89)) },
  { check: 'coverage-lines', verdict: 'inconclusive', name: 'required baseline missing', mutate: (_r, b) => delete b.coverage, config: { threshold: { op: 'gte', value: 80 }, baseline: { required: true } } },

  { check: 'security-findings', verdict: 'pass', name: 'no high or critical' },
  { check: 'security-findings', verdict: 'fail', name: 'one high finding', mutate: (r) => r.security.results.push({ check: 'ast-grep', rule: 'tls-disabled', file: 'a.ts', line: 3, severity: 'high', message: 'rejectUnauthorized: false' }) },
  { check: 'security-findings', verdict: 'fail', name: 'a scanner check failed', mutate: (r) => (r.security.summary.checks[0]!.status = 'fail') },
  { check: 'security-findings', verdict: 'warn', name: 'audit could not run (pr)', mutate: (r) => Object.assign(r.security.summary.checks[3]!, { status: 'inconclusive', detail: 'advisory endpoint unreachable' }) },
  { check: 'security-findings', verdict: 'inconclusive', name: 'audit could not run (release)', policy: 'release', mutate: (r) => ((r.eval.mode = 'live'), (r.security.summary.checks[3]!.status = 'inconclusive')) },

  { check: 'eval-pass-rate', verdict: 'pass', name: '120/120' },
  { check: 'eval-pass-rate', verdict: 'fail', name: '110/120', mutate: (r) => failRuns(r, 10) },
  { check: 'eval-pass-rate', verdict: 'warn', name: '117/120, Wilson lower bound under 95%', mutate: (r) => failRuns(r, 3), config: { threshold: { op: 'gte', value: 0.95 }, params: { requireLowerBound: true } } },
  { check: 'eval-pass-rate', verdict: 'fail', name: 'every run errored (a harness error is a run that did not pass)', mutate: (r) => r.eval.results.forEach((x) => (x.error = { message: 'timeout' })) },
  { check: 'eval-pass-rate', verdict: 'inconclusive', name: 'no gold or live runs', mutate: (r) => (r.eval.results = r.eval.results.filter((x) => x.variant !== 'gold')) },

  { check: 'eval-hallucination', verdict: 'pass', name: 'none flagged' },
  { check: 'eval-hallucination', verdict: 'fail', name: '5/120 flagged', mutate: (r) => r.eval.results.filter((x) => x.variant === 'gold').slice(0, 5).forEach((x) => (x.hallucinated = true)) },
  { check: 'eval-hallucination', verdict: 'warn', name: '1/120 flagged, warn at any', mutate: (r) => (r.eval.results[0]!.hallucinated = true), config: { threshold: { op: 'lte', value: 0.02 }, warn: { op: 'lte', value: 0 } } },
  { check: 'eval-hallucination', verdict: 'inconclusive', name: 'no judged runs', mutate: (r) => (r.eval.results = r.eval.results.filter((x) => x.variant !== 'gold')) },

  { check: 'eval-tool-success', verdict: 'pass', name: 'all calls ok' },
  { check: 'eval-tool-success', verdict: 'fail', name: '5/120 calls failed', mutate: (r) => r.eval.results.slice(0, 6).forEach((x) => x.variant === 'gold' && (x.toolCalls[0]!.ok = false)) },
  { check: 'eval-tool-success', verdict: 'warn', name: '1 failed call, warn at any', mutate: (r) => (r.eval.results[0]!.toolCalls[0]!.ok = false), config: { threshold: { op: 'gte', value: 0.98 }, warn: { op: 'gte', value: 1 } } },
  { check: 'eval-tool-success', verdict: 'inconclusive', name: 'no judged runs', mutate: (r) => (r.eval.results = []) },
  {
    check: 'eval-tool-success',
    verdict: 'pass',
    name: '5/120 calls failed, each one its case expected (error-path cases)',
    mutate: (r) => r.eval.results.slice(0, 6).forEach((x) => x.variant === 'gold' && Object.assign(x.toolCalls[0]!, { ok: false, expectedError: true })),
  },

  { check: 'eval-pass-k', verdict: 'pass', name: 'every case passed 3/3' },
  { check: 'eval-pass-k', verdict: 'fail', name: 'half the cases flaked once', mutate: (r) => failRuns(r, 20, (i) => i * 3) },
  { check: 'eval-pass-k', verdict: 'warn', name: 'one case flaked, warn at any', mutate: (r) => failRuns(r, 1), config: { threshold: { op: 'gte', value: 0.9 }, warn: { op: 'gte', value: 1 } } },
  { check: 'eval-pass-k', verdict: 'inconclusive', name: 'fewer repeats than minK', config: { threshold: { op: 'gte', value: 0.9 }, params: { minK: 5 } } },

  { check: 'eval-grader-sensitivity', verdict: 'pass', name: 'every faulty variant caught' },
  { check: 'eval-grader-sensitivity', verdict: 'fail', name: 'half the faulty variants passed', mutate: (r) => r.eval.results.filter((x) => x.variant !== 'gold').slice(0, 5).forEach((x) => (x.pass = true)) },
  { check: 'eval-grader-sensitivity', verdict: 'warn', name: 'one missed, warn at any', mutate: (r) => (r.eval.results.find((x) => x.variant !== 'gold')!.pass = true), config: { threshold: { op: 'gte', value: 0.9 }, warn: { op: 'gte', value: 1 } } },
  { check: 'eval-grader-sensitivity', verdict: 'inconclusive', name: 'no faulty variants', mutate: (r) => (r.eval.results = r.eval.results.filter((x) => x.variant === 'gold')) },

  { check: 'eval-harness-errors', verdict: 'pass', name: 'no harness error' },
  { check: 'eval-harness-errors', verdict: 'fail', name: 'one harness error (the policy allows none)', mutate: (r) => (r.eval.results[0]!.error = { code: 'EVL_ERR_SIM_NO_CASSETTE', message: 'no cassette' }) },
  { check: 'eval-harness-errors', verdict: 'warn', name: 'one harness error, within a lenient budget', mutate: (r) => (r.eval.results[0]!.error = { code: 'EVL_ERR_SIM_NO_CASSETTE', message: 'no cassette' }), config: { threshold: { op: 'lte', value: 0.05 }, warn: { op: 'lte', value: 0 } } },
  { check: 'eval-harness-errors', verdict: 'fail', name: '10/130 errored', mutate: (r) => r.eval.results.slice(0, 10).forEach((x) => (x.error = { message: 'grader crashed' })) },
  { check: 'eval-harness-errors', verdict: 'inconclusive', name: 'no results', mutate: (r) => (r.eval.results = []) },

  { check: 'eval-baseline', verdict: 'pass', name: 'no flips' },
  { check: 'eval-baseline', verdict: 'warn', name: '2 regressed, not significant', mutate: (r) => failRuns(r, 2) },
  { check: 'eval-baseline', verdict: 'fail', name: '8 regressed, 0 improved (p=0.0078)', mutate: (r) => failRuns(r, 8) },
  { check: 'eval-baseline', verdict: 'inconclusive', name: 'no baseline', mutate: (_r, b) => delete b.eval },

  { check: 'load-p95', verdict: 'pass', name: 'p95 2.1 s' },
  { check: 'load-p95', verdict: 'fail', name: 'p95 6 s', mutate: (r) => r.load.results.forEach((x) => (x.p95Ms = 6000)) },
  { check: 'load-p95', verdict: 'warn', name: 'p95 over a 2 s warn bound', config: { threshold: { op: 'lte', value: 5000 }, warn: { op: 'lte', value: 2000 } } },
  { check: 'load-p95', verdict: 'inconclusive', name: 'no threshold in the policy', config: {} },

  { check: 'load-error-rate', verdict: 'pass', name: '0.11%' },
  { check: 'load-error-rate', verdict: 'fail', name: '0.5%', mutate: (r) => r.load.results.forEach((x) => (x.errors = Math.ceil(x.requests * 0.005))) },
  { check: 'load-error-rate', verdict: 'warn', name: 'over a 0.1% warn bound', config: { threshold: { op: 'lt', value: 0.005 }, warn: { op: 'lt', value: 0.001 } } },
  { check: 'load-error-rate', verdict: 'inconclusive', name: 'no threshold in the policy', config: {} },

  { check: 'load-throughput', verdict: 'pass', name: '62.8 rps' },
  { check: 'load-throughput', verdict: 'fail', name: '5 rps', mutate: (r) => r.load.results.forEach((x) => (x.rps = 5)) },
  { check: 'load-throughput', verdict: 'warn', name: 'under a 100 rps warn bound', config: { threshold: { op: 'gte', value: 50 }, warn: { op: 'gte', value: 100 } } },
  { check: 'load-throughput', verdict: 'inconclusive', name: 'no threshold in the policy', config: {} },
  { check: 'load-throughput', verdict: 'inconclusive', name: 'a smoke run offered 8 req/s: it cannot show 50', mutate: (r) => (r.load.config = { ...r.load.config, profile: { name: 'smoke', rate: 8 } }) },
  { check: 'load-throughput', verdict: 'fail', name: 'offered 60 req/s, served 30', mutate: (r) => ((r.load.config = { ...r.load.config, profile: { name: 'baseline', rate: 60 } }), r.load.results.forEach((x) => (x.rps = 30))) },

  // The load tool owns its comparison; the gate maps its verdict and adds no warn of its own.
  { check: 'load-baseline', verdict: 'pass', name: 'same as baseline' },
  { check: 'load-baseline', verdict: 'pass', name: 'improved', mutate: (r) => (r.load.summary.comparison!.verdict = 'improved') },
  { check: 'load-baseline', verdict: 'fail', name: 'regressed', mutate: (r) => (r.load.summary.comparison!.verdict = 'regressed') },
  { check: 'load-baseline', verdict: 'inconclusive', name: 'comparison inconclusive', mutate: (r) => (r.load.summary.comparison!.verdict = 'inconclusive') },
  { check: 'load-baseline', verdict: 'inconclusive', name: 'no comparison', mutate: (r) => delete r.load.summary.comparison },

  { check: 'chaos-drills', verdict: 'pass', name: 'both drills held and recovered' },
  { check: 'chaos-drills', verdict: 'fail', name: 'steady state broken', mutate: (r) => (drill(r).verdict = 'fail') },
  { check: 'chaos-drills', verdict: 'fail', name: 'recovered past the deadline', mutate: (r) => (drill(r).recoverySeconds = 45) },
  { check: 'chaos-drills', verdict: 'fail', name: 'never recovered', mutate: (r) => (drill(r).recoverySeconds = null) },
  { check: 'chaos-drills', verdict: 'warn', name: 'one failure within a lenient threshold', mutate: (r) => (drill(r).verdict = 'fail'), config: { threshold: { op: 'lte', value: 1 }, warn: { op: 'lte', value: 0 } } },
  { check: 'chaos-drills', verdict: 'inconclusive', name: 'no drills ran', mutate: (r) => (r.chaos.results = []) },
  { check: 'chaos-drills', verdict: 'inconclusive', name: 'a required drill is missing', config: { threshold: { op: 'lte', value: 0 }, params: { requiredDrills: ['redis-failover'] } } },
];

function run(s: Pick<Scenario, 'mutate' | 'config' | 'policy' | 'check'>) {
  const reports = passingReports();
  const baselines: Partial<FixtureReports> = baselineReports();
  s.mutate?.(reports, baselines);
  let policy = s.policy === 'release' ? release : pr;
  if (s.config) {
    const config = { weight: 1, veto: false, params: {}, ...s.config };
    policy = { ...policy, policy: { ...policy.policy, checks: { ...policy.policy.checks, [s.check]: config } } };
  }
  return decide(evidenceOf(reports as unknown as Record<ReportKind, Report>), evidenceOf(baselines as Record<ReportKind, Report>, 'base'), policy, { commit: FIXTURE_COMMIT, now: NOW });
}

describe('decide: every verdict of every check', () => {
  it.each(SCENARIOS.map((s) => [s.check, s.verdict, s.name, s] as const))('%s → %s: %s', (_id, verdict, _name, s) => {
    const result = run(s).checks.find((c) => c.id === s.check)!;
    expect(result, result?.reason).toMatchObject({ verdict });
    expect(result.reason.length).toBeGreaterThan(0);
    if (verdict !== 'inconclusive') expect(result.measured).not.toBeNull();
  });

  it('the scenarios cover pass, fail and inconclusive of every check, and warn of every check that can warn', () => {
    const ids = new Set(SCENARIOS.map((s) => s.check));
    for (const id of ids)
      for (const v of ['pass', 'fail', 'inconclusive', ...(id === 'load-baseline' ? [] : ['warn'])]) expect(SCENARIOS.some((s) => s.check === id && s.verdict === v), `${id} ${v}`).toBe(true);
    expect(ids.size).toBe(Object.keys(pr.policy.checks).length);
  });
});

describe('decide: the overall verdict', () => {
  it('passes when every check passes, with measured value, threshold and evidence file on each', () => {
    const d = run({ check: 'tests-pass' });
    expect(d).toMatchObject({ verdict: 'pass', promote: true, exitCode: 0, score: 1 });
    for (const c of d.checks) expect(c).toMatchObject({ verdict: 'pass', evidence: expect.stringMatching(/fixture\/\w+\/report.json/) });
    expect(d.checks.find((c) => c.id === 'coverage-lines')).toMatchObject({ measured: 88, threshold: '≥ 80.00%', baseline: 87 });
    expect(d.evidence.map((e) => e.sha256)).toEqual(d.evidence.map(() => expect.stringMatching(/^[0-9a-f]{64}$/)));
  });

  it('a veto fail blocks (exit 1)', () => {
    expect(run({ check: 'tests-pass', mutate: (r) => (r.coverage.summary.tests!.failed = 1) })).toMatchObject({ verdict: 'fail', exitCode: 1, promote: false });
  });

  it('a non-veto fail only warns while the score holds', () => {
    expect(run({ check: 'load-p95', mutate: (r) => r.load.results.forEach((x) => (x.p95Ms = 9000)) })).toMatchObject({ verdict: 'warn', exitCode: 0, promote: true });
  });

  it('non-veto failures below the minimum score block', () => {
    const d = run({
      check: 'load-p95',
      mutate: (r) => {
        r.load.results.forEach((x) => Object.assign(x, { p95Ms: 9000, errors: Math.ceil(x.requests * 0.2), rps: 1 }));
        r.load.summary.comparison = { baseline: 'b', verdict: 'regressed', maxRelativeChange: 0.5 };
        drill(r).verdict = 'fail';
        r.eval.results.filter((x) => x.variant !== 'gold').forEach((x) => (x.pass = true));
      },
    });
    expect(d).toMatchObject({ verdict: 'fail', exitCode: 1 });
    expect(d.reasons.join()).toMatch(/score/);
  });

  it('missing evidence of a veto check is inconclusive (exit 2), never a pass', () => {
    const reports = passingReports();
    const d = decide(evidenceOf({ ...reports, eval: undefined } as unknown as Record<ReportKind, Report>), {}, pr, { commit: FIXTURE_COMMIT, now: NOW });
    expect(d).toMatchObject({ verdict: 'inconclusive', exitCode: 2, promote: false });
    for (const c of d.checks.filter((c) => c.kind === 'eval')) expect(c).toMatchObject({ verdict: 'inconclusive', evidence: null, reason: expect.stringContaining('missing') });
  });

  it('a veto fail wins over missing evidence: block, not inconclusive', () => {
    const reports = passingReports();
    reports.coverage.summary.tests!.failed = 3;
    const d = decide(evidenceOf({ coverage: reports.coverage }), {}, pr, { commit: FIXTURE_COMMIT, now: NOW });
    expect(d).toMatchObject({ verdict: 'fail', exitCode: 1 });
  });

  it.each([
    ['from another commit', (r: FixtureReports) => (r.coverage.git.sha = 'a'.repeat(40)), /not f00dfeed/],
    ['older than the commit', (r: FixtureReports) => (r.coverage.createdAt = '2025-05-31T23:59:59Z'), /before the commit/],
  ])('stale evidence (%s) is inconclusive', (_name, mutate, why) => {
    const d = run({ check: 'tests-pass', mutate: (r) => mutate(r) });
    expect(d.verdict).toBe('inconclusive');
    expect(d.evidence.find((e) => e.kind === 'coverage')).toMatchObject({ status: 'stale', reasons: [expect.stringMatching(why)] });
    expect(d.checks.find((c) => c.id === 'coverage-lines')).toMatchObject({ verdict: 'inconclusive', reason: expect.stringMatching(why) });
  });

  it('release forbids dirty-tree evidence and demands live eval evidence; pr accepts both', () => {
    const dirty = (r: FixtureReports) => (r.load.git.dirty = true);
    expect(run({ check: 'tests-pass', mutate: dirty }).checks.find((c) => c.id === 'load-p95')!.verdict).toBe('pass');
    const rel = run({ check: 'tests-pass', policy: 'release', mutate: dirty });
    expect(rel.evidence.find((e) => e.kind === 'load')).toMatchObject({ status: 'stale', reasons: [expect.stringContaining('dirty')] });
    expect(rel.evidence.find((e) => e.kind === 'eval')).toMatchObject({ status: 'unaccepted', reasons: [expect.stringContaining('accepts live')] });
    expect(rel.checks.find((c) => c.id === 'eval-pass-rate')!.verdict).toBe('inconclusive');
    expect(rel.verdict).toBe('inconclusive');
    const live = run({ check: 'tests-pass', policy: 'release', mutate: (r) => (r.eval.mode = 'live') });
    expect(live).toMatchObject({ verdict: 'pass', exitCode: 0 });
  });

  it('invalid evidence is inconclusive with the validation error', () => {
    const reports = evidenceOf(passingReports() as unknown as Record<ReportKind, Report>);
    reports.load = { kind: 'load', path: 'x/load/report.json', status: 'invalid', sha256: 'ab'.repeat(32), error: 'summary.rps: expected number' };
    const d = decide(reports, {}, pr, { commit: FIXTURE_COMMIT, now: NOW });
    expect(d.checks.find((c) => c.id === 'load-p95')).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('summary.rps') });
  });

  it('is pure: the same inputs give the same decision', () => {
    expect(run({ check: 'tests-pass' })).toEqual(run({ check: 'tests-pass' }));
  });
});
