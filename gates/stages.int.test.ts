import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultReportPath, readReport, type Report, type ReportKind } from '../evals/report/index.js';
import { decide } from './decide.js';
import { loadEvidence } from './evidence.js';
import { loadPolicy } from './policy.js';
import { renderSummaryMarkdown } from './render/summary-md.js';
import { runStage, stampStage, STAGES, type Stage } from './stages.js';
import { FIXTURE_COMMIT, passingReports, writeReports, tempDir } from './fixtures.test-support.js';

const coverageStage = (timeoutMs = 20_000): Stage => ({ ...STAGES.find((s) => s.kind === 'coverage')!, timeoutMs });

describe('stages are evidence', () => {
  it('a runner that writes its report and exits 1: the exit code goes into the envelope, and "Test suite passes" fails', async () => {
    const dir = tempDir('stage-');
    const reports = passingReports();
    const path = defaultReportPath('coverage', dir);
    mkdirSync(join(dir, 'coverage'), { recursive: true });
    const written = JSON.stringify({ ...reports.coverage, createdAt: new Date(Date.now() + 50).toISOString() });
    const fake = `require('node:fs').writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(written)}); process.exit(1)`;
    const started = Date.now();
    const run = await runStage(coverageStage(), dir, [process.execPath, '-e', fake]);
    expect(run).toMatchObject({ command: 'npm run test:coverage', exitCode: 1, timedOut: false, timeoutMs: 20_000 });
    expect(await stampStage(path, run, started)).toBe(true);
    expect((await readReport(path, 'coverage')).stage).toEqual(run);

    const { coverage: _stamped, ...others } = reports;
    writeReports(dir, others as unknown as Record<ReportKind, Report>);
    const d = decide(await loadEvidence(dir), {}, await loadPolicy('pr'), { commit: FIXTURE_COMMIT, now: new Date().toISOString() });
    expect(d.checks.find((c) => c.id === 'tests-pass')).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('npm run test:coverage exited 1') });
    expect(d).toMatchObject({ promote: false, exitCode: 1 });
    expect(d.evidence.find((e) => e.kind === 'coverage')?.stage).toEqual(run);

    const recorded = decide(await loadEvidence(dir), {}, await loadPolicy('pr'), { commit: FIXTURE_COMMIT, now: new Date().toISOString(), stages: [{ kind: 'coverage', status: 'ran', run, wroteReport: true }] });
    expect(recorded.stages).toEqual([{ kind: 'coverage', status: 'ran', run, wroteReport: true }]);
    expect(renderSummaryMarkdown(recorded)).toMatch(/\| coverage \| `npm run test:coverage` \| ❌ 1 \| \d+\.\d s \| 0 min \|/);
  });

  it('a stage killed at its limit is timed out with no exit code, and an older report is not stamped as its own', async () => {
    const dir = tempDir('stage-');
    const path = defaultReportPath('coverage', dir);
    mkdirSync(join(dir, 'coverage'), { recursive: true });
    const old = JSON.stringify({ ...passingReports().coverage, createdAt: '2025-06-01T12:00:00.000Z' });
    writeFileSync(path, old);
    const started = Date.now();
    const run = await runStage(coverageStage(300), dir, [process.execPath, '-e', 'setTimeout(() => {}, 20000)']);
    expect(run).toMatchObject({ timedOut: true, exitCode: null });
    expect(run.durationMs).toBeLessThan(10_000);
    expect(await stampStage(path, run, started)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(old);
  });
});
