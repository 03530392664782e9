import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { z } from 'zod';
import { summariseSecurity, writeReport, type SecurityCheck, type SecurityFinding, type SecurityReport, type SecuritySummary } from '../../evals/report/index.js';
import { SCANNER_IDS, SCANNERS, type ScannerId } from './index.js';
import type { ScanOutcome } from './types.js';

export const SuppressionSchema = z
  .object({
    check: z.enum(SCANNER_IDS),
    rule: z.string().min(1),
    /** Glob over repository paths. */
    file: z.string().min(1),
    /** Regex the finding's message must match, to keep the suppression to one construct. */
    message: z.string().optional(),
    reason: z.string().min(10),
  })
  .strict();
export type Suppression = z.infer<typeof SuppressionSchema>;

export const SUPPRESSIONS_PATH = join(import.meta.dirname, 'suppressions.yaml');

export async function loadSuppressions(path = SUPPRESSIONS_PATH): Promise<Suppression[]> {
  return z.object({ suppress: z.array(SuppressionSchema) }).strict().parse(parse(await readFile(path, 'utf8'))).suppress;
}

/** Marks suppressed findings (severity info, reason in the message); returns how many it marked. */
export function applySuppressions(findings: SecurityFinding[], suppressions: readonly Suppression[]): { findings: SecurityFinding[]; suppressed: number } {
  let suppressed = 0;
  const out = findings.map((f) => {
    // eslint-disable-next-line security/detect-non-literal-regexp -- the pattern comes from a reviewed file in this repository
    const s = suppressions.find((x) => x.check === f.check && x.rule === f.rule && picomatch(x.file, { dot: true })(f.file) && (!x.message || new RegExp(x.message).test(f.message)));
    if (!s) return f;
    suppressed++;
    return { ...f, severity: 'info' as const, message: `suppressed (${s.reason}): ${f.message}` };
  });
  return { findings: out, suppressed };
}

/** 0: no high or critical finding and no failed check; 1 otherwise. Inconclusive and skipped checks are the gate's to judge. */
export function scanExitCode(summary: SecuritySummary): 0 | 1 {
  return summary.findings.critical + summary.findings.high > 0 || summary.checks.some((c) => c.status === 'fail') ? 1 : 0;
}

export interface ScanOptions {
  root: string;
  out: string;
  only?: readonly ScannerId[];
  log?: (line: string) => void;
}

/** Runs the scanners (a crashed scanner is an inconclusive check, not an aborted scan) and writes the report. */
export async function runScan(opts: ScanOptions): Promise<{ report: SecurityReport; path: string; exitCode: 0 | 1 }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ids = opts.only?.length ? SCANNER_IDS.filter((id) => opts.only!.includes(id)) : SCANNER_IDS;
  const tmp = await mkdtemp(join(tmpdir(), 'lm-scan-'));
  const started = Date.now();
  try {
    const outcomes = await Promise.all(
      ids.map(async (id): Promise<[ScannerId, ScanOutcome, number]> => {
        const t0 = Date.now();
        const scanner = SCANNERS[id];
        log(`scan: ${id}: ${scanner.title}…`);
        const outcome = await scanner
          .run({ root: opts.root, tmp: await mkdtemp(join(tmp, `${id}-`)), log })
          .catch((err: unknown): ScanOutcome => ({ status: 'inconclusive', detail: `scanner crashed: ${err instanceof Error ? err.message : String(err)}`, findings: [] }));
        const ms = Date.now() - t0;
        log(`scan: ${id}: ${outcome.status} (${outcome.findings.length} findings, ${(ms / 1000).toFixed(1)} s) ${outcome.detail}`);
        return [id, outcome, ms];
      }),
    );
    const raw: SecurityFinding[] = outcomes.flatMap(([id, o]) => o.findings.map((f) => ({ check: id, ...f })));
    const { findings, suppressed } = applySuppressions(raw, await loadSuppressions());
    const checks: SecurityCheck[] = outcomes.map(([id, o]) => {
      const mine = findings.filter((f) => f.check === id);
      // A check that failed only on findings now suppressed passes; one that could not run keeps its status.
      const status = o.status === 'fail' && !mine.some((f) => f.severity === 'high' || f.severity === 'critical') && mine.length > 0 ? 'pass' : o.status;
      const marked = mine.filter((f) => f.message.startsWith('suppressed (')).length;
      return { id, status, detail: `${o.detail}${marked ? `; ${marked} suppressed (gates/scan/suppressions.yaml)` : ''}` };
    });
    const summary = summariseSecurity(findings, checks);
    const durations = Object.fromEntries(outcomes.map(([id, , ms]) => [id, ms]));
    const { path, report } = await writeReport('security', { config: { checks: [...ids], durationsMs: durations, suppressed, totalMs: Date.now() - started }, summary, results: findings }, opts.out);
    return { report, path, exitCode: scanExitCode(summary) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
