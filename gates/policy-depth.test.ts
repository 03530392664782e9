import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckId, CheckPolicy } from './checks/types.js';
import { decide, type Decision } from './decide.js';
import { loadPolicy, type LoadedPolicy } from './policy.js';
import { promote, verifyPromotion } from './promotion.js';
import type { PastDecision } from './relative.js';
import { FIXTURE_COMMIT, evidenceOf, passingReports } from './fixtures.test-support.js';

// Keptn/Kayenta/Argo-style policy depth: dry-run checks, relative criteria over accepted history, human approval.
// Each protection is shown working and, with the protection switched off, the fault getting through.

const NOW = '2025-06-02T00:00:00Z';
let pr: LoadedPolicy;
beforeAll(async () => {
  pr = await loadPolicy('pr');
});

function withCheck(policy: LoadedPolicy, id: CheckId, patch: Partial<CheckPolicy>): LoadedPolicy {
  return { ...policy, policy: { ...policy.policy, checks: { ...policy.policy.checks, [id]: { ...policy.policy.checks[id]!, ...patch } } } };
}

function judge(policy: LoadedPolicy, mutate: (r: ReturnType<typeof passingReports>) => void = () => {}, history: PastDecision[] = []): Decision {
  const reports = passingReports();
  mutate(reports);
  return decide(evidenceOf(reports), {}, policy, { commit: FIXTURE_COMMIT, now: NOW, history });
}

// The fixture's load run measures p95 2120 ms (median over its runs): within the absolute 5 s threshold.
const slowP95 = () => {};

describe('dry-run checks are reported and never decide', () => {
  it('a failing veto check blocks; the same check in dry run is shown failing and the gate promotes', () => {
    const failTests = (r: ReturnType<typeof passingReports>) => (r.coverage.summary.tests!.failed = 3);
    const live = judge(pr, failTests);
    expect(live.verdict).toBe('fail');
    const dry = judge(withCheck(pr, 'tests-pass', { dryRun: true }), failTests);
    expect(dry.checks.find((c) => c.id === 'tests-pass')).toMatchObject({ verdict: 'fail', dryRun: true });
    expect(dry.promote).toBe(true);
    expect(dry.reasons.join(' ')).toContain('dry run, not deciding: tests-pass (fail)');
  });
});

describe('relative criteria against the last accepted decisions', () => {
  const past = (sha: string, p95: number, promoted = true, day = 1): PastDecision => ({
    createdAt: `2025-05-${String(day).padStart(2, '0')}T00:00:00Z`,
    commit: { sha },
    policy: { name: 'pr' },
    promote: promoted,
    checks: [{ id: 'load-p95', measured: p95 }],
  });
  const history = [past('a1', 1500, true, 1), past('a2', 1600, true, 2), past('a3', 1400, true, 3), past('bad', 9000, false, 4)];
  const relative = () => withCheck(pr, 'load-p95', { relative: { window: 5, maxRegression: 500, required: false } });

  it('a p95 within the absolute threshold but 620 ms over the median of accepted decisions fails', () => {
    const d = judge(relative(), slowP95, history);
    const check = d.checks.find((c) => c.id === 'load-p95')!;
    expect(check.verdict).toBe('fail');
    expect(check.reason).toMatch(/regressed from 1500 ms \(median of the last 3 accepted decisions\)/);
    expect(check.details).toMatchObject({ relative: { median: 1500, commits: ['a3', 'a2', 'a1'] } });
  });

  it('can fail: without the relative criterion the same run passes the absolute threshold', () => {
    expect(judge(pr, slowP95, history).checks.find((c) => c.id === 'load-p95')!.verdict).toBe('pass');
  });

  it('blocked decisions never enter the window, and the window keeps only the newest', () => {
    const drifted = [past('old', 4800, true, 1), past('b1', 2000, true, 2), past('b2', 2000, true, 3), past('blocked', 1000, false, 4)];
    const windowed = withCheck(pr, 'load-p95', { relative: { window: 2, maxRegression: 500, required: false } });
    expect(judge(windowed, slowP95, drifted).checks.find((c) => c.id === 'load-p95')!.details).toMatchObject({ relative: { median: 2000, commits: ['b2', 'b1'] } });
  });

  it('an empty history is inconclusive only when the criterion is required', () => {
    expect(judge(relative(), slowP95, []).checks.find((c) => c.id === 'load-p95')!.verdict).toBe('pass');
    const required = withCheck(pr, 'load-p95', { relative: { window: 5, maxRegression: 500, required: true } });
    expect(judge(required, slowP95, []).checks.find((c) => c.id === 'load-p95')!.verdict).toBe('inconclusive');
  });
});

describe('human approval in the signed promotion record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lm-approval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

  function decisionFile(required: boolean): string {
    const policy = { ...pr, policy: { ...pr.policy, approval: { required } } };
    const path = join(dir, `decision-${required}.json`);
    // The evidence is in memory (not on disk), so the record hashes only the policy and the decision.
    const d = judge(policy);
    writeFileSync(path, JSON.stringify({ ...d, evidence: d.evidence.map((e) => ({ ...e, sha256: null })) }));
    return path;
  }

  it('a policy that requires approval refuses to sign without an approver; can fail: without the requirement it signs', async () => {
    await expect(promote({ decisionPath: decisionFile(true), keyPem, out: join(dir, 'p1.json') })).rejects.toMatchObject({ code: 'GATE_ERR_PROMOTION_REFUSED', message: expect.stringContaining('--approved-by') });
    await expect(promote({ decisionPath: decisionFile(false), keyPem, out: join(dir, 'p2.json') })).resolves.toMatchObject({ verdict: expect.any(String) });
  });

  it('the approver is signed: changing the name breaks verification', async () => {
    const out = join(dir, 'p3.json');
    const record = await promote({ decisionPath: decisionFile(true), keyPem, out, approvedBy: 'Dana Release-Manager' });
    expect(record.approval).toMatchObject({ by: 'Dana Release-Manager' });
    expect((await verifyPromotion({ recordPath: out, publicKeyPem: pubPem })).ok).toBe(true);
    writeFileSync(out, readFileSync(out, 'utf8').replace('Dana Release-Manager', 'Mallory'));
    expect((await verifyPromotion({ recordPath: out, publicKeyPem: pubPem })).ok).toBe(false);
  });
});
