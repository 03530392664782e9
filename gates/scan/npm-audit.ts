import { execFile } from 'node:child_process';
import { z } from 'zod';
import type { Severity } from '../../evals/report/index.js';
import { outcomeFor, type ScanFinding, type ScanOutcome, type Scanner } from './types.js';

const AUDIT_TIMEOUT_MS = 30_000;

const AuditSchema = z
  .object({
    vulnerabilities: z
      .record(
        z.string(),
        z.object({ name: z.string(), severity: z.enum(['critical', 'high', 'moderate', 'low', 'info']), isDirect: z.boolean().optional(), range: z.string().optional(), via: z.array(z.unknown()).optional() }).loose(),
      )
      .optional(),
    metadata: z.object({ vulnerabilities: z.record(z.string(), z.number()) }).loose().optional(),
    message: z.string().optional(),
    statusCode: z.number().optional(),
    error: z.unknown().optional(),
  })
  .loose();

const SEVERITY: Record<string, Severity> = { critical: 'critical', high: 'high', moderate: 'medium', low: 'low', info: 'info' };

// Registry addresses stay out of reports: the reason is what matters, not where the request went.
const withoutUrls = (text: string) => text.replace(/https?:\/\/\S+/g, '<advisory endpoint>').trim();

/** Reads `npm audit --json` output. No advisory data (an error body, empty or cut output) is inconclusive, never a pass. */
export function interpretAudit(stdout: string, stderr: string, failure?: string): ScanOutcome {
  let parsed: z.infer<typeof AuditSchema> | undefined;
  try {
    parsed = AuditSchema.parse(JSON.parse(stdout));
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.error !== undefined || parsed.statusCode !== undefined || !parsed.vulnerabilities || !parsed.metadata) {
    const npmError = stderr.split('\n').find((l) => /npm error|ERR!/i.test(l))?.replace(/^npm (error|ERR!)\s*/i, '');
    const why = withoutUrls([failure, parsed?.message, npmError].filter(Boolean).join('; ') || 'no advisory data in the output');
    return { status: 'inconclusive', detail: `advisory endpoint not reachable or refused the request: ${why}`, findings: [] };
  }
  const findings: ScanFinding[] = Object.values(parsed.vulnerabilities).map((v) => {
    const titles = (v.via ?? []).flatMap((x) => (x && typeof x === 'object' && 'title' in x ? [String((x as { title: unknown }).title)] : []));
    return {
      rule: `npm-audit/${v.name}`,
      file: 'package-lock.json',
      line: 0,
      severity: SEVERITY[v.severity] ?? 'medium',
      message: `${v.name} ${v.range ?? ''}${v.isDirect ? ' (direct)' : ''}: ${titles.join('; ') || 'via a vulnerable dependency'}`.replace(/\s+/g, ' '),
    };
  });
  return outcomeFor(findings, `${Object.keys(parsed.vulnerabilities).length} vulnerable packages`);
}

export const npmAuditScanner = {
  id: 'npm-audit' as const,
  title: 'dependency audit (npm audit)',
  run: (ctx) =>
    new Promise((resolve) => {
      execFile('npm', ['audit', '--json'], { cwd: ctx.root, timeout: AUDIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        // npm audit exits 1 when it finds vulnerabilities, so the exit status alone says nothing.
        const failure = err && (err as { killed?: boolean }).killed ? `timed out after ${AUDIT_TIMEOUT_MS / 1000} s` : undefined;
        resolve(interpretAudit(stdout, stderr, failure));
      });
    }),
} satisfies Scanner;
