import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../bin/run-cli.test-support.js';
import { readReport, summariseSecurity as summarise, type SecurityFinding } from '../../evals/report/index.js';
import { SCANNER_IDS, SCANNERS } from './index.js';
import { applySuppressions, loadSuppressions, runScan, scanExitCode } from './run-scan.js';

const execFileAsync = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

const finding = (over: Partial<SecurityFinding>): SecurityFinding => ({ check: 'eslint', rule: 'r', file: 'a.ts', line: 1, severity: 'high', message: 'm', ...over });

describe('scanner registry', () => {
  it('has one scanner per id, each under its own id', () => {
    expect(Object.keys(SCANNERS)).toEqual([...SCANNER_IDS]);
    for (const id of SCANNER_IDS) expect(SCANNERS[id].id).toBe(id);
  });
});

describe('summary, exit code and suppressions', () => {
  it('exit 0 only without high or critical findings and without failed checks; inconclusive and skipped are the gate\'s call', () => {
    const ok = [{ id: 'a', status: 'pass' as const }, { id: 'b', status: 'inconclusive' as const }, { id: 'c', status: 'skipped' as const }];
    expect(scanExitCode(summarise([finding({ severity: 'medium' })], ok))).toBe(0);
    expect(scanExitCode(summarise([finding({ severity: 'high' })], ok))).toBe(1);
    expect(scanExitCode(summarise([finding({ severity: 'critical' })], ok))).toBe(1);
    expect(scanExitCode(summarise([], [...ok, { id: 'd', status: 'fail' }]))).toBe(1);
  });

  it('a suppression matches check, rule, file glob and message, and keeps the finding visible at info', () => {
    const s = [{ check: 'eslint' as const, rule: 'r', file: 'src/**', message: '^m$', reason: 'not reachable from input' }];
    const { findings, suppressed } = applySuppressions([finding({ file: 'src/x.ts' }), finding({ file: 'lib/x.ts' }), finding({ file: 'src/y.ts', message: 'other' })], s);
    expect(suppressed).toBe(1);
    expect(findings.map((f) => f.severity)).toEqual(['info', 'high', 'high']);
    expect(findings[0]!.message).toMatch(/^suppressed \(not reachable from input\)/);
  });

  it('the repository suppression list parses', async () => {
    await expect(loadSuppressions()).resolves.toBeInstanceOf(Array);
  });
});

describe('runScan on a throwaway repository', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'lm-scanrepo-'));
    await execFileAsync('git', ['init', '-q'], { cwd: repo });
    await writeFile(join(repo, 'clean.ts'), 'export const x = 1;\n');
  });
  afterAll(() => rm(repo, { recursive: true, force: true }));

  it('a clean tree exits 0 and writes a valid security report', async () => {
    const out = join(repo, 'reports/security/report.json');
    const { exitCode } = await runScan({ root: repo, out, only: ['secrets', 'semgrep'], log: () => {} });
    expect(exitCode).toBe(0);
    const report = await readReport(out, 'security');
    expect(report.summary.checks.map((c) => c.id)).toEqual(['semgrep', 'secrets']);
    expect(report.summary.checks.find((c) => c.id === 'secrets')!.status).toBe('pass');
    // No semgrep binary here: skipped, and said why; in CI it runs.
    expect(['skipped', 'pass']).toContain(report.summary.checks.find((c) => c.id === 'semgrep')!.status);
  });

  it('a planted key exits 1 with the finding located', async () => {
    const key = ['AK', 'IA', 'Z7Q3WX2M4N6P8R5T'].join('');
    await writeFile(join(repo, 'leak.ts'), `// config\nexport const id = "${key}";\n`);
    const out = join(repo, 'leak.json');
    const { exitCode, report } = await runScan({ root: repo, out, only: ['secrets'], log: () => {} });
    expect(exitCode).toBe(1);
    expect(report.results).toEqual([expect.objectContaining({ check: 'secrets', rule: 'secrets/aws-access-key-id', file: 'leak.ts', line: 2, severity: 'high' })]);
    expect(report.summary).toMatchObject({ findings: { high: 1 }, checks: [{ id: 'secrets', status: 'fail' }] });
    expect(await readFile(out, 'utf8')).not.toContain(key);
  });
});

describe('luminamind scan (CLI)', () => {
  it('an unknown check is a usage error: exit 2', async () => {
    const run = await execFileAsync(process.execPath, [join(repoRoot, 'bin/luminamind'), 'scan', '--only', 'bogus'], { cwd: repoRoot }).catch((e: { code: number; stderr: string }) => e);
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown check') });
  });

  // The help text needs no process boundary: the CLI's main() in this process (a spawn costs ~1 s of CPU first).
  it('--help lists the checks and the exit codes', async () => {
    const { stdout, code } = await runCliInProcess(['scan', '--help']);
    expect(code).toBe(0);
    for (const id of SCANNER_IDS) expect(stdout).toContain(id);
    expect(stdout).toMatch(/Exit codes: 0 .* 1 .* 2 usage error/);
  });
});
