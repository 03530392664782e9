import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, ReportKind } from '../../evals/report/index.js';
import { decide, type Decision, type StageRecord } from '../decide.js';
import { loadPolicy } from '../policy.js';
import { FIXTURE_COMMIT, baselineReports, evidenceOf, passingReports, writeReports } from '../fixtures.test-support.js';
import type { ReportsByKind } from './html.js';

// A blocked gate run with something in every section of report.html, shared by html.test.ts and the browser test.

export const HOSTILE_CASE = '<script>alert(1)</script>-case';

export interface PageFixture {
  decision: Decision;
  reports: ReportsByKind;
  baselines: ReportsByKind;
  thresholds: Record<string, number | undefined>;
}

/** `root` given: the reports, baselines, journals, promptfoo report and coverage summary are written under it, as the gate leaves them. */
export async function pageFixture(root?: string): Promise<PageFixture> {
  const policy = await loadPolicy('pr');
  const r = passingReports();
  r.eval.results.filter((x) => x.variant === 'gold').slice(0, 9).forEach((x) => Object.assign(x, { pass: false }));
  Object.assign(r.eval.results[0]!, { caseId: HOSTILE_CASE });
  Object.assign(r.eval.results[0]!.graders[0]!, { pass: false, reason: '<script>alert(2)</script> & "quotes"' });
  r.eval.plan = r.eval.results.map((x) => `${x.caseId} ${x.variant}#${x.repeat}`);
  r.chaos.results[1]!.recoverySeconds = 33;
  // Crowded events: a second apart on a 60 s axis, with long names, as a real drill's journal has them.
  r.chaos.results[0]!.timeline = [
    { t: 0, event: 'steady state probe', ok: true },
    { t: 10, event: 'redis-kill: fault injected (SIGKILL redis-server)' },
    { t: 10.4, event: 'probe: 503 AGT_ERR_CHECKPOINT_FAILED as designed', ok: true },
    { t: 11, event: 'alert LuminaMindRedisDown firing', ok: true },
    { t: 25, event: 'fault removed' },
    { t: 25.3, event: 'redis-server restarted' },
    { t: 29.2, event: 'steady state recovered', ok: true },
    { t: 59.5, event: 'drill finished with a long closing note', ok: true },
  ];
  r.load.config = { profile: { name: 'smoke', rate: 8 }, perPercentile: [
    { percentile: 'p50Ms', baselineMedian: 780, candidateMedian: 805, relativeChange: 0.03, pValue: 0.4, verdict: 'same' },
    { percentile: 'p95Ms', baselineMedian: 2080, candidateMedian: 2120, relativeChange: 0.02, pValue: 0.41, verdict: 'same' },
    { percentile: 'p99Ms', baselineMedian: 2990, candidateMedian: 3040, relativeChange: 0.02, pValue: 0.5, verdict: 'same' },
  ] };
  r.load.results.forEach((x) => Object.assign(x, { scenario: 'mix' }));
  r.security.results = [
    { check: 'audit', rule: 'GHSA-xxxx', file: 'package-lock.json', line: 1, severity: 'medium', message: 'prototype pollution in a dev dependency' },
    { check: 'eslint', rule: 'sonarjs/cognitive-complexity', file: 'agent/src/graph/builder.ts', line: 40, severity: 'low', message: 'function too complex' },
    { check: 'ast-grep', rule: 'no-exec', file: 'evals/x.ts', line: 3, severity: 'info', message: '<b>not bold</b>' },
  ];
  r.security.summary.findings = { critical: 0, high: 0, medium: 1, low: 1, info: 1 };
  const reports = r as unknown as Record<ReportKind, Report>;
  const baselines = baselineReports() as unknown as Record<ReportKind, Report>;
  const dir = root ?? 'fixture';
  if (root) {
    writeReports(join(root, 'reports'), reports);
    writeReports(join(root, 'baselines'), baselines);
    mkdirSync(join(root, 'reports/chaos/journal'), { recursive: true });
    writeFileSync(join(root, 'reports/chaos/journal/redis-kill.json'), '{}\n');
    mkdirSync(join(root, 'reports/eval/promptfoo'), { recursive: true });
    writeFileSync(join(root, 'reports/eval/promptfoo/results.html'), '<!doctype html><title>promptfoo</title>\n');
    mkdirSync(join(root, 'reports/coverage/raw'), { recursive: true });
    writeFileSync(join(root, 'reports/coverage/raw/coverage-summary.json'), '{}\n');
    Object.assign(r.chaos.config, { journalDir: join(root, 'reports/chaos/journal') });
  }
  const stages: StageRecord[] = [
    { kind: 'coverage', status: 'ran', run: { command: 'npm run test:coverage', exitCode: 0, timedOut: false, durationMs: 412_000, timeoutMs: 1_500_000 } },
    { kind: 'security', status: 'fresh', note: 'fresh evidence at reports/security/report.json' },
    { kind: 'eval', status: 'ran', run: { command: 'npm run eval', exitCode: 0, timedOut: false, durationMs: 19_400, timeoutMs: 1_800_000 } },
    // The fields the gate's evidence reuse adds, read when present.
    { kind: 'load', status: 'fresh', durationMs: 1200, reused: { fromSha: 'abcdefabcdef0123', reason: 'inputs unchanged' } } as StageRecord,
  ];
  const decision = decide(evidenceOf(reports, join(dir, 'reports')), evidenceOf(baselines, join(dir, 'baselines')), { ...policy, file: root ? join(root, 'policy.yaml') : policy.file }, {
    commit: FIXTURE_COMMIT,
    now: '2025-06-02T00:00:00Z',
    stages,
  });
  if (root) writeFileSync(join(root, 'policy.yaml'), 'pr: {}\n');
  const thresholds = Object.fromEntries(Object.entries(policy.policy.checks).map(([id, c]) => [id, c?.threshold?.value]));
  return { decision, reports, baselines, thresholds };
}

/** Earlier decisions for the trend: `n` files under `dir/<i>/decision.json`, plus one file that is not a decision. */
export function writeHistory(dir: string, current: Decision, n = 3): void {
  const verdicts = ['pass', 'warn', 'fail'] as const;
  for (let i = 0; i < n; i++) {
    mkdirSync(join(dir, String(i)), { recursive: true });
    const d = { ...current, commit: { sha: `${i}`.repeat(40), time: null }, createdAt: `2025-05-2${i}T00:00:00Z`, verdict: verdicts[i % 3], score: 0.9 - i * 0.05 };
    writeFileSync(join(dir, String(i), 'decision.json'), JSON.stringify(d));
  }
  writeFileSync(join(dir, 'notes.json'), '{"hello": 1}');
}
