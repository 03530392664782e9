import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import type { ChaosReport, CoverageReport, EvalReport, LoadReport, Report, ReportKind, SecurityReport } from '../evals/report/index.js';
import { sha256, type CommitInfo, type EvidenceSet } from './evidence.js';

// Test support shared by the gate's tests: fixture reports (gates/fixtures/) as typed, mutable copies.
export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const FIXTURE_SHA = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
export const FIXTURE_COMMIT: CommitInfo = { sha: FIXTURE_SHA, time: '2025-06-01T00:00:00Z' };

export interface FixtureReports {
  eval: EvalReport;
  load: LoadReport;
  chaos: ChaosReport;
  coverage: CoverageReport;
  security: SecurityReport;
}

const read = (set: string, kind: ReportKind) => JSON.parse(readFileSync(join(FIXTURES, set, kind, 'report.json'), 'utf8'));

/** Fresh copies of the all-passing fixture reports. */
export function passingReports(): FixtureReports {
  return { eval: read('pass', 'eval'), load: read('pass', 'load'), chaos: read('pass', 'chaos'), coverage: read('pass', 'coverage'), security: read('pass', 'security') };
}

export function baselineReports(): Pick<FixtureReports, 'eval' | 'coverage'> {
  return { eval: read('baselines', 'eval'), coverage: read('baselines', 'coverage') };
}

/** Evidence as loadEvidence would give it for these in-memory reports. */
export function evidenceOf(reports: Partial<Record<ReportKind, Report>>, dir = 'fixture'): EvidenceSet {
  return Object.fromEntries(
    Object.entries(reports).flatMap(([kind, report]) => (report ? [[kind, { kind, path: `${dir}/${kind}/report.json`, status: 'ok', sha256: sha256(JSON.stringify(report)), report }]] : [])),
  ) as EvidenceSet;
}

/** Writes reports as `<dir>/<kind>/report.json`. */
export function writeReports(dir: string, reports: Partial<Record<ReportKind, Report>>): void {
  for (const [kind, report] of Object.entries(reports)) {
    mkdirSync(join(dir, kind), { recursive: true });
    writeFileSync(join(dir, kind, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
  }
}

/** Re-stamps reports as made at `sha`, now: fresh evidence for that commit. */
export function stamp<T extends Partial<Record<ReportKind, Report>>>(reports: T, sha: string, createdAt = new Date().toISOString()): T {
  for (const r of Object.values(reports)) if (r) Object.assign(r, { git: { sha, dirty: false }, createdAt });
  return reports;
}

const madeInHooks: string[] = [];
// Folders made in a beforeAll go when the file ends. The int project loads this module afresh per file, so the hook
// is that file's; the unit project shares it between files, which is why tests clean up per test below.
afterAll(() => {
  for (const dir of madeInHooks.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed when the test that made it ends (made in a hook: when the file ends). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  } catch {
    madeInHooks.push(dir); // not inside a test
  }
  return dir;
}
