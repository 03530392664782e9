import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { SeveritySchema, type Severity } from '../../evals/report/index.js';
import { SCAN_DIR } from './ast-grep.js';
import { repoFiles, sourceFiles } from './files.js';
import { outcomeFor, type ScanFinding, type Scanner } from './types.js';

const execFileAsync = promisify(execFile);

/** semgrep-format copies of the ast-grep rules (same ids), run by real semgrep in CI. */
export const SEMGREP_DIR = join(SCAN_DIR, 'semgrep');

export const SemgrepRuleFileSchema = z.object({
  rules: z.array(
    z
      .object({
        id: z.string().regex(/^lm-[a-z0-9-]+$/),
        languages: z.array(z.string()).min(1),
        severity: z.enum(['ERROR', 'WARNING', 'INFO']),
        message: z.string().min(1),
        metadata: z.object({ lmSeverity: SeveritySchema }).loose(),
      })
      .loose(),
  ),
});

export async function loadSemgrepRules(dir = SEMGREP_DIR): Promise<z.infer<typeof SemgrepRuleFileSchema>['rules']> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yml')).sort();
  const files = await Promise.all(names.map(async (n) => SemgrepRuleFileSchema.parse(parse(await readFile(join(dir, n), 'utf8')))));
  return files.flatMap((f) => f.rules);
}

const ResultSchema = z.object({
  results: z.array(
    z.object({
      check_id: z.string(),
      path: z.string(),
      start: z.object({ line: z.number() }),
      extra: z.object({ message: z.string().default(''), severity: z.string().optional(), metadata: z.object({ lmSeverity: SeveritySchema.optional() }).loose().optional() }).loose(),
    }),
  ),
  errors: z.array(z.unknown()).default([]),
});

const FALLBACK: Record<string, Severity> = { ERROR: 'high', WARNING: 'medium', INFO: 'low' };

/** The installed semgrep's version, or null when there is no binary (it has no offline install here). */
export async function semgrepVersion(): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync('semgrep', ['--version'], { timeout: 30_000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

export async function semgrepScan(root: string, files: readonly string[]): Promise<{ findings: ScanFinding[]; errors: number }> {
  const args = ['scan', '--config', SEMGREP_DIR, '--json', '--metrics=off', '--disable-version-check', '--quiet', ...files];
  const { stdout } = await execFileAsync('semgrep', args, { cwd: root, maxBuffer: 128 * 1024 * 1024, timeout: 10 * 60_000 }).catch((err: { stdout?: string; stderr?: string }) => {
    if (err.stdout) return { stdout: err.stdout };
    throw new Error(`semgrep failed: ${err.stderr ?? String(err)}`);
  });
  const out = ResultSchema.parse(JSON.parse(stdout));
  return {
    // A directory config prefixes rule ids with its path (gates.scan.semgrep.lm-eval): keep the id.
    findings: out.results.map((r) => ({
      rule: r.check_id.split('.').at(-1)!,
      file: r.path,
      line: r.start.line,
      severity: r.extra.metadata?.lmSeverity ?? FALLBACK[r.extra.severity ?? 'ERROR'] ?? 'high',
      message: r.extra.message,
    })),
    errors: out.errors.length,
  };
}

export const semgrepScanner = {
  id: 'semgrep' as const,
  title: 'semgrep on the same rules (when the binary exists)',
  run: async (ctx) => {
    const version = await semgrepVersion();
    if (!version) return { status: 'skipped', detail: 'not installed (semgrep has no offline install here; CI installs it and runs this check)', findings: [] };
    const files = sourceFiles(await repoFiles(ctx.root)).filter((f) => /\.(ts|mts)$/.test(f));
    const { findings, errors } = await semgrepScan(ctx.root, files);
    if (errors > 0 && findings.length === 0) return { status: 'inconclusive', detail: `semgrep ${version} reported ${errors} errors`, findings };
    return outcomeFor(findings, `semgrep ${version}, ${(await loadSemgrepRules()).length} rules over ${files.length} source files${errors ? `, ${errors} errors` : ''}`);
  },
} satisfies Scanner;
