import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultReportPath, resultId, type Report, type ReportKind, type StageRun } from '../evals/report/index.js';
import type { CheckId, Verdict } from './checks/types.js';
import { convertCoverage } from './coverage.js';
import { decide, type Decision } from './decide.js';
import { loadEvidence } from './evidence.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import { promote, verifyPromotion } from './promotion.js';
import { stageInputs } from './inputs.js';
import { stageExtras } from './reuse.js';
import { STAGES } from './stages.js';
import { FIXTURE_COMMIT, FIXTURES, baselineReports, passingReports, writeReports, type FixtureReports, tempDir } from './fixtures.test-support.js';

/**
 * The gate, mutation-tested: valid evidence broken one way at a time must never promote, and the decision must name
 * the check that caught it and why. The twin below shows the unbroken evidence does promote, so no row passes vacuously.
 * Every row is listed in gates/README.md ("What the gate is tested against").
 */

const NOW = '2025-06-02T00:00:00Z';
type PolicyName = 'pr' | 'release';

interface Mutation {
  name: string;
  policy?: PolicyName;
  /** Breaks the reports before they are written. */
  reports?: (r: FixtureReports) => unknown;
  /** Breaks the files after they are written (a report dir with `<kind>/report.json`). */
  files?: (dir: string) => void;
  /**
   * The evidence was made at an earlier commit, recording its stage inputs over TREE; then the tree changed this way
   * (or the Node version moved). Reuse must not accept it when anything a stage declares relevant changed.
   */
  tree?: (files: Map<string, string>) => void;
  node?: string;
  /** The check that must catch it, its verdict (never pass or warn) and a reason that says why. */
  check: CheckId;
  verdict: Exclude<Verdict, 'pass' | 'warn'>;
  reason: RegExp;
}

const gold = (r: FixtureReports) => r.eval.results.filter((x) => x.variant === 'gold');
const stage = (command: string, over: Partial<StageRun> = {}): StageRun => ({ command, exitCode: 1, timedOut: false, durationMs: 84_000, timeoutMs: 1_500_000, ...over });
/** What release evidence looks like: a live eval of this commit from a clean tree. */
const live = (r: FixtureReports) => {
  r.eval.mode = 'live';
  r.eval.model = 'gpt-4o-mini';
};
const file = (dir: string, kind: ReportKind) => join(dir, kind, 'report.json');

/** A small tree with one file of each kind the stages tell apart (path → blob id). */
const TREE: ReadonlyMap<string, string> = new Map([
  ['agent/src/server.ts', 'a1'],
  ['evals/runner.ts', 'b1'],
  ['package-lock.json', 'c1'],
  ['README.md', 'd1'],
  ['docs/ARCHITECTURE.md', 'e1'],
  ['docs/ERRORS.md', 'e2'],
  ['deploy/k8s/base/deployment.yaml', 'f1'],
  ['deploy/monitoring/rules/luminamind-alerts.yaml', 'f2'],
  ['gates/policy.yaml', 'g1'],
]);
const EARLIER = '3f2a1c0'.padEnd(40, '0');
const MODEL = { primary: null };
const inputsOf = (tree: ReadonlyMap<string, string>, node = process.version) =>
  Object.fromEntries(STAGES.map((s) => [s.kind, stageInputs(tree, s.irrelevant, { ...stageExtras(s, 'reports', MODEL), node }).sha256])) as Record<ReportKind, string>;
/** Every report as made at EARLIER from TREE by a stage run that exited 0 and recorded its inputs. */
const madeEarlier = (r: FixtureReports) => {
  const inputs = inputsOf(TREE);
  for (const [kind, report] of Object.entries(r) as [ReportKind, Report][])
    Object.assign(report, { git: { sha: EARLIER, dirty: false }, stage: { command: `npm run ${kind}`, exitCode: 0, timedOut: false, durationMs: 1000, timeoutMs: 60_000, inputs: inputs[kind] } });
};
const changed = (edits: Record<string, string>) => (t: Map<string, string>) => Object.entries(edits).forEach(([p, blob]) => t.set(p, blob));

const MUTATIONS: Mutation[] = [
  {
    name: 'a test file that cannot load (vitest: 0 failed tests, 1 failed suite, success false)',
    reports: async (r) => {
      const dir = tempDir('mut-cov-');
      const m = { total: 100, covered: 90, pct: 90 };
      writeFileSync(join(dir, 'summary.json'), JSON.stringify({ total: { lines: m, branches: m, functions: m, statements: m } }));
      const converted = await convertCoverage({ summary: join(dir, 'summary.json'), tests: join(FIXTURES, 'vitest/broken-file.json'), out: join(dir, 'report.json'), git: r.coverage.git });
      r.coverage.summary.tests = converted.summary.tests;
    },
    check: 'tests-pass',
    verdict: 'fail',
    reason: /1 test file\(s\) failed to load/,
  },
  {
    name: 'a test runner that exits 1 after writing its report',
    reports: (r) => (r.coverage.stage = stage('npm run test:coverage')),
    check: 'tests-pass',
    verdict: 'fail',
    reason: /npm run test:coverage exited 1/,
  },
  {
    name: 'a test run that executed nothing',
    reports: (r) => (r.coverage.summary.tests = { passed: 0, failed: 0, skipped: 0 }),
    check: 'tests-pass',
    verdict: 'fail',
    reason: /no test was executed/,
  },
  {
    name: 'an eval that exits 1 after writing a clean-looking report',
    reports: (r) => (r.eval.stage = stage('npm run eval')),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /stage "npm run eval" exited 1 .* cannot pass this check/,
  },
  {
    name: 'a load stage that timed out (a non-veto check under pr)',
    reports: (r) => (r.load.stage = stage('npm run load', { exitCode: null, timedOut: true, durationMs: 600_000, timeoutMs: 600_000 })),
    check: 'load-p95',
    verdict: 'inconclusive',
    reason: /timed out after 600\.0 s/,
  },
  {
    name: 'the coverage summary missing (no coverage report written)',
    files: (dir) => rmSync(file(dir, 'coverage')),
    check: 'tests-pass',
    verdict: 'inconclusive',
    reason: /missing evidence/,
  },
  {
    name: 'an eval report with harness errors',
    reports: (r) => gold(r).slice(0, 2).forEach((x) => (x.error = { code: 'EVL_ERR_TIMEOUT', message: 'timed out after 60000 ms' })),
    check: 'eval-harness-errors',
    verdict: 'fail',
    reason: /2\/130 runs errored \(EVL_ERR_TIMEOUT\)/,
  },
  {
    name: 'an eval report whose harness-errored runs still say pass: true',
    reports: (r) => gold(r).slice(0, 8).forEach((x) => (x.error = { message: 'grader crashed' })),
    check: 'eval-pass-rate',
    verdict: 'fail',
    reason: /112\/120 passed/,
  },
  {
    name: 'an eval report with a case missing',
    reports: (r) => (r.eval.results = r.eval.results.filter((x) => x.caseId !== gold(r)[0]!.caseId)),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /invalid evidence: \d+ planned result\(s\) missing/,
  },
  {
    name: 'an eval report with duplicated results',
    reports: (r) => r.eval.results.push(structuredClone(gold(r)[0]!)),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /invalid evidence: duplicated results: \S+ gold#0/,
  },
  {
    name: 'an eval report from another commit',
    reports: (r) => (r.eval.git.sha = 'a'.repeat(40)),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /stale evidence: made at commit aaaaaaaaaaaa/,
  },
  {
    name: 'a chaos report from another commit (a non-veto check under pr)',
    reports: (r) => (r.chaos.git.sha = 'b'.repeat(40)),
    check: 'chaos-drills',
    verdict: 'inconclusive',
    reason: /stale evidence: made at commit bbbbbbbbbbbb/,
  },
  {
    name: 'evidence from a dirty tree under the release policy',
    policy: 'release',
    reports: (r) => (live(r), (r.eval.git.dirty = true)),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /dirty work tree, which the release policy forbids/,
  },
  {
    name: 'simulated eval evidence under the release policy',
    policy: 'release',
    reports: (r) => Object.assign(r.eval, { mode: 'simulated', model: 'sim' }),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /eval mode simulated; the release policy accepts live/,
  },
  {
    name: 'a chaos drill whose probes answered nothing, reported as held',
    reports: (r) => {
      for (const phase of ['before', 'during', 'after'] as const) Object.assign(r.chaos.results[0]![phase], { requests: 0, held: true });
    },
    check: 'chaos-drills',
    verdict: 'inconclusive',
    reason: /claims it held, but its before phase measured nothing \(0 requests\)/,
  },
  {
    name: 'a load run that sent nothing',
    reports: (r) => r.load.results.forEach((x) => Object.assign(x, { requests: 0, errors: 0 })),
    check: 'load-error-rate',
    verdict: 'inconclusive',
    reason: /run\(s\) sent nothing/,
  },
  {
    name: 'a truncated JSON file',
    files: (dir) => writeFileSync(file(dir, 'eval'), readFileSync(file(dir, 'eval'), 'utf8').slice(0, 5000)),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /invalid evidence:[\s\S]*(JSON|Unterminated|Unexpected end)/,
  },
  {
    name: 'a report with extra unknown fields',
    reports: (r) => Object.assign(r.eval.results[0]!, { passedOverride: true }),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /invalid evidence:[\s\S]*Unrecognized key[\s\S]*passedOverride/,
  },
  {
    name: 'evidence of an earlier commit after the agent source changed',
    tree: changed({ 'agent/src/server.ts': 'a2' }),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /stale evidence: made at commit 3f2a1c0\S*, not .*its inputs changed/,
  },
  {
    name: 'test evidence of an earlier commit after the lockfile changed',
    tree: changed({ 'package-lock.json': 'c2' }),
    check: 'tests-pass',
    verdict: 'inconclusive',
    reason: /its inputs changed/,
  },
  {
    name: 'test evidence of an earlier commit after a deployment manifest changed (tests read deploy/)',
    tree: changed({ 'deploy/k8s/base/deployment.yaml': 'f9' }),
    check: 'tests-pass',
    verdict: 'inconclusive',
    reason: /its inputs changed/,
  },
  {
    name: 'chaos evidence of an earlier commit after an alert rule the drills judge changed',
    tree: changed({ 'deploy/monitoring/rules/luminamind-alerts.yaml': 'f3' }),
    check: 'chaos-drills',
    verdict: 'inconclusive',
    reason: /its inputs changed/,
  },
  {
    name: 'load evidence of an earlier commit after a file was added',
    tree: changed({ 'agent/src/new-plugin.ts': 'n1' }),
    check: 'load-p95',
    verdict: 'inconclusive',
    reason: /its inputs changed/,
  },
  {
    name: 'evidence of an earlier commit made on another Node version',
    tree: () => {},
    node: 'v18.0.0',
    check: 'security-findings',
    verdict: 'inconclusive',
    reason: /its inputs changed/,
  },
  {
    name: 'evidence of an earlier commit with unchanged inputs under the release policy (reuse off)',
    policy: 'release',
    tree: () => {},
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /inputs are unchanged, but the release policy demands fresh evidence/,
  },
  {
    name: 'a report of the wrong kind in the eval slot',
    files: (dir) => writeFileSync(file(dir, 'eval'), readFileSync(file(dir, 'load'), 'utf8')),
    check: 'eval-pass-rate',
    verdict: 'inconclusive',
    reason: /expected a eval report, found load/,
  },
];

let policies: Record<PolicyName, LoadedPolicy>;
beforeAll(async () => {
  policies = { pr: await loadPolicy('pr'), release: await loadPolicy('release') };
});

/** Writes the (mutated) evidence and baselines to disk and decides on what loadEvidence reads back, as `luminamind gate --no-run` does. */
async function decideOnDisk(m: Pick<Mutation, 'reports' | 'files' | 'policy' | 'tree' | 'node'>): Promise<{ decision: Decision; dir: string }> {
  const dir = tempDir('gate-mutation-');
  const reports = passingReports();
  if (m.policy === 'release') live(reports);
  if (m.tree) madeEarlier(reports);
  await m.reports?.(reports);
  writeReports(join(dir, 'reports'), reports as unknown as Record<ReportKind, Report>);
  writeReports(join(dir, 'baselines'), baselineReports() as unknown as Record<ReportKind, Report>);
  m.files?.(join(dir, 'reports'));
  const tree = new Map(TREE);
  m.tree?.(tree);
  const inputs = m.tree ? inputsOf(tree, m.node) : undefined;
  const decision = decide(await loadEvidence(join(dir, 'reports')), await loadEvidence(join(dir, 'baselines')), policies[m.policy ?? 'pr'], { commit: FIXTURE_COMMIT, now: NOW, ...(inputs ? { inputs } : {}) });
  return { decision, dir };
}

describe('gate mutation testing: broken evidence never promotes', () => {
  it.each(['pr', 'release'] as const)('twin: the unbroken evidence promotes under %s (so no row below passes vacuously)', async (policy) => {
    const { decision } = await decideOnDisk({ policy });
    expect(decision, decision.reasons.join('; ')).toMatchObject({ verdict: 'pass', promote: true, exitCode: 0 });
  });

  it.each([
    ['documentation', { 'README.md': 'd2', 'docs/ARCHITECTURE.md': 'e9' }],
    ['documentation and a file added under docs/', { 'docs/ERRORS.md': 'e3', 'docs/runbooks/new.md': 'r1' }],
  ] as const)('twin: evidence of an earlier commit is reused after a change to %s only, every check saying so', async (_what, edits) => {
    const { decision } = await decideOnDisk({ tree: changed(edits) });
    expect(decision, decision.reasons.join('; ')).toMatchObject({ verdict: 'pass', promote: true, exitCode: 0 });
    for (const c of decision.checks) expect(c.reason, c.id).toMatch(/\(reused from 3f2a1c0: inputs unchanged\)$/);
    for (const e of decision.evidence) expect(e.reused, e.kind).toEqual({ fromSha: EARLIER, reason: 'inputs unchanged' });
  });

  it.each(MUTATIONS.map((m) => [m.name, m] as const))('%s', async (_name, m) => {
    const { decision } = await decideOnDisk(m);
    const check = decision.checks.find((c) => c.id === m.check);
    expect(decision.promote, `${decision.verdict}: ${decision.reasons.join('; ')}`).toBe(false);
    expect(decision.exitCode).not.toBe(0);
    expect(check, `${m.check} is in the ${m.policy ?? 'pr'} policy`).toBeDefined();
    expect(check!.verdict, check!.reason).toBe(m.verdict);
    expect(check!.reason).toMatch(m.reason);
  });

  it('an evidence file changed after the decision: promote refuses it, and a signed record no longer verifies', async () => {
    const { decision, dir } = await decideOnDisk({});
    expect(decision.promote).toBe(true);
    const decisionPath = join(dir, 'decision.json');
    writeFileSync(decisionPath, JSON.stringify(decision));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const evalFile = defaultReportPath('eval', join(dir, 'reports'));
    const original = readFileSync(evalFile, 'utf8');
    const flipped = original.replace('"pass": true', '"pass": false');
    expect(flipped).not.toBe(original);

    writeFileSync(evalFile, flipped);
    await expect(promote({ decisionPath, keyPem, out: join(dir, 'refused.json') })).rejects.toMatchObject({ code: 'GATE_ERR_PROMOTION_REFUSED', message: expect.stringContaining('eval/report.json (changed since the decision)') });

    writeFileSync(evalFile, original);
    const record = join(dir, 'promotion.json');
    await promote({ decisionPath, keyPem, out: record });
    writeFileSync(evalFile, flipped);
    const verified = await verifyPromotion({ recordPath: record, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string });
    expect(verified.ok).toBe(false);
    expect(verified.problems.join()).toMatch(/evidence .*eval\/report\.json changed: sha256/);
  });

  it('a stage guard that fails on reused evidence: the checks it guards cannot pass', async () => {
    const reports = passingReports();
    madeEarlier(reports);
    const dir = tempDir('gate-mutation-');
      writeReports(dir, reports as unknown as Record<ReportKind, Report>);
    const guard = stage('npm test -- docs/standalone.test.ts');
    const tree = new Map(TREE);
    changed({ 'README.md': 'd2' })(tree);
    const ctx = { commit: FIXTURE_COMMIT, now: NOW, inputs: inputsOf(tree) };
    const decision = decide(await loadEvidence(dir), {}, policies.pr, { ...ctx, stages: [{ kind: 'coverage', status: 'reused', reused: { fromSha: EARLIER, reason: 'inputs unchanged' }, guard }] });
    expect(decision).toMatchObject({ promote: false, exitCode: 2 });
    expect(decision.checks.find((c) => c.id === 'tests-pass')).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('npm test -- docs/standalone.test.ts" exited 1') });
  });

  it('every mutation is listed in gates/README.md', () => {
    const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
    for (const m of [...MUTATIONS.map((x) => x.name), 'an evidence file changed after the decision']) expect(readme, m).toContain(m);
  });

  it('the fixture plan is what makes a missing case visible', () => {
    const r = passingReports();
    expect(r.eval.plan).toEqual(r.eval.results.map(resultId));
  });
});
