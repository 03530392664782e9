import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, type CliRun } from '../bin/run-cli.test-support.js';
import { baselineReports, passingReports, stamp, writeReports, type FixtureReports, tempDir } from './fixtures.test-support.js';

const ROOT = join(import.meta.dirname, '..');
const HEAD = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();

// The commands run in this process (runCliInProcess: the same main() as bin/luminamind, without 1–2 s of CPU a spawn
// spends loading TypeScript); one gate and one verify run as real processes, where the exit code is the process's.
const luminamind = runCliInProcess;

async function luminamindProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const r = spawnSync(process.execPath, ['bin/luminamind', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A reports dir and baselines dir stamped fresh for HEAD, after `mutate`. */
function workspace(mutate: (r: FixtureReports) => void = () => {}, drop: (keyof FixtureReports)[] = []) {
  const dir = tempDir('gate-cli-');
  const reports = stamp(passingReports(), HEAD);
  mutate(reports);
  for (const k of drop) delete (reports as Partial<FixtureReports>)[k];
  writeReports(join(dir, 'reports'), reports);
  writeReports(join(dir, 'baselines'), baselineReports());
  const gate = (extra: string[] = [], env: Record<string, string> = {}, run = luminamind) =>
    run(['gate', '--no-run', '--commit', HEAD, '--reports', join(dir, 'reports'), '--baselines', join(dir, 'baselines'), '--out', join(dir, 'gate'), ...extra], env);
  return { dir, gate, out: (f: string) => join(dir, 'gate', f) };
}

describe('luminamind gate (exit codes through the CLI)', () => {
  it('exits 0 and promotes when every check passes; writes every report; appends to $GITHUB_STEP_SUMMARY', async () => {
    const ws = workspace();
    const stepSummary = join(ws.dir, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    const r = await ws.gate([], { GITHUB_STEP_SUMMARY: stepSummary });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PROMOTE');
    const decision = JSON.parse(readFileSync(ws.out('decision.json'), 'utf8'));
    expect(decision).toMatchObject({ verdict: 'pass', exitCode: 0, commit: { sha: HEAD }, policy: { name: 'pr', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    for (const f of ['summary.md', 'junit.xml', 'report.html']) expect(existsSync(ws.out(f))).toBe(true);
    expect(readFileSync(stepSummary, 'utf8')).toMatch(/^# earlier step\n## LuminaMind gate \(pr\)/);
    const junit = readFileSync(ws.out('junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(decision.checks.length);
    expect(junit).toContain('failures="0"');
  });

  it('exits 1 (block) when a veto check fails, with a <failure> in junit (a real process: its exit status)', async () => {
    const ws = workspace((r) => (r.coverage.summary.lines.pct = 61.5));
    const r = await ws.gate([], {}, luminamindProcess);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/BLOCKED[\s\S]*61\.50%/);
    expect(readFileSync(ws.out('junit.xml'), 'utf8')).toMatch(/<testcase [^>]*coverage-lines[^>]*>\s*<failure/);
  });

  it('exits 2 when evidence is missing or stale, naming it; inconclusive checks are <skipped> in junit', async () => {
    const ws = workspace((r) => (r.load.git.sha = '0'.repeat(40)), ['eval']);
    const r = await ws.gate();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain('INCONCLUSIVE');
    expect(r.stdout).toMatch(/missing evidence: no eval report/);
    expect(r.stdout).toMatch(/stale evidence: made at commit 000000000000/);
    expect(readFileSync(ws.out('junit.xml'), 'utf8')).toMatch(/eval-pass-rate[^>]*>\s*<skipped/);
  });

  it('exits 2 when misconfigured (unknown policy), writing no decision', async () => {
    const ws = workspace();
    const r = await ws.gate(['--policy', 'staging']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GATE_ERR_POLICY_UNKNOWN');
    expect(existsSync(ws.out('decision.json'))).toBe(false);
  });

  it('release demands live eval evidence: the simulated fixture is inconclusive (2), live passes (0)', async () => {
    expect((await workspace().gate(['--policy', 'release'])).code).toBe(2);
    expect((await workspace((r) => (r.eval.mode = 'live')).gate(['--policy', 'release'])).code).toBe(0);
  });
});

describe('luminamind promote / verify', { timeout: 180_000 }, () => {
  let keyFile: string;
  let pubFile: string;
  beforeAll(() => {
    const dir = tempDir('gate-keys-');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    keyFile = join(dir, 'key.pem');
    pubFile = join(dir, 'pub.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('signs a passing decision; verify passes, then fails on a tampered record (a real process: its exit status) and on one changed evidence byte', async () => {
    const ws = workspace();
    expect((await ws.gate()).code).toBe(0);
    const record = join(ws.dir, 'promotion.json');
    const p = await luminamind(['promote', '--decision', ws.out('decision.json'), '--out', record], { LUMINAMIND_SIGNING_KEY: readFileSync(keyFile, 'utf8') });
    expect(p.code, p.stderr).toBe(0);
    const signed = JSON.parse(readFileSync(record, 'utf8'));
    expect(signed).toMatchObject({ commit: HEAD, verdict: 'pass', signature: expect.any(String) });
    expect(signed.files.map((f: { role: string }) => f.role)).toEqual(expect.arrayContaining(['evidence', 'baseline', 'policy', 'decision']));

    const ok = await luminamind(['verify', '--pubkey', pubFile, '--record', record]);
    expect(ok.code, ok.stderr).toBe(0);

    writeFileSync(record, JSON.stringify({ ...signed, verdict: 'warn' }, null, 2));
    const tamperedRecord = await luminamindProcess(['verify', '--pubkey', pubFile, '--record', record]);
    expect(tamperedRecord.code, tamperedRecord.stderr).toBe(1);
    expect(tamperedRecord.stderr).toContain('record was changed after signing');

    writeFileSync(record, JSON.stringify(signed, null, 2));
    const evidence = join(ws.dir, 'reports/load/report.json');
    writeFileSync(evidence, readFileSync(evidence, 'utf8').replace('"rps": 62.8', '"rps": 62.9'));
    const tamperedEvidence = await luminamind(['verify', '--pubkey', pubFile, '--record', record]);
    expect(tamperedEvidence.code).toBe(1);
    expect(tamperedEvidence.stderr).toMatch(/evidence .*load\/report\.json changed: sha256/);
  });

  it('refuses a blocked decision (exit 1) and a missing key (exit 2)', async () => {
    const ws = workspace((r) => (r.coverage.summary.tests!.failed = 1));
    expect((await ws.gate()).code).toBe(1);
    const refused = await luminamind(['promote', '--key', keyFile, '--decision', ws.out('decision.json'), '--out', join(ws.dir, 'p.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('GATE_ERR_PROMOTION_REFUSED');
    expect(existsSync(join(ws.dir, 'p.json'))).toBe(false);
    const noKey = await luminamind(['promote', '--decision', ws.out('decision.json')], { LUMINAMIND_SIGNING_KEY: '' });
    expect(noKey.code).toBe(2);
  });
});
