import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { z } from 'zod';
import { SeveritySchema, type Severity } from '../../evals/report/index.js';
import { repoFiles, sourceFiles } from './files.js';
import { outcomeFor, type ScanFinding, type Scanner } from './types.js';

const execFileAsync = promisify(execFile);

export const SCAN_DIR = import.meta.dirname;
export const SG_CONFIG = join(SCAN_DIR, 'sgconfig.yml');
export const RULES_DIR = join(SCAN_DIR, 'rules');

/** The native binary @ast-grep/cli ships for this platform (no download at install time). */
export function astGrepBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@ast-grep/cli/package.json')), 'ast-grep');
}

export const AstGrepRuleSchema = z.object({
  id: z.string().regex(/^lm-[a-z0-9-]+$/),
  language: z.string(),
  severity: z.enum(['error', 'warning', 'info', 'hint']),
  message: z.string().min(1),
  metadata: z.object({ lmSeverity: SeveritySchema }).loose(),
}).loose();
export type AstGrepRule = z.infer<typeof AstGrepRuleSchema>;

/** Every rule under rules/, validated: each needs an lm- id and the severity it reports at. */
export async function loadAstGrepRules(dir = RULES_DIR): Promise<AstGrepRule[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.yml')).sort();
  return Promise.all(names.map(async (n) => AstGrepRuleSchema.parse(parse(await readFile(join(dir, n), 'utf8')))));
}

const MatchSchema = z.object({
  ruleId: z.string(),
  file: z.string(),
  message: z.string().default(''),
  severity: z.string().optional(),
  range: z.object({ start: z.object({ line: z.number() }) }),
  metadata: z.object({ lmSeverity: SeveritySchema.optional() }).loose().nullish(),
});

const FALLBACK: Record<string, Severity> = { error: 'high', warning: 'medium', info: 'low', hint: 'info' };

/** Runs the rules over `files` (relative to `root`) and returns one finding per match. */
export async function astGrepScan(root: string, files: readonly string[], config = SG_CONFIG): Promise<ScanFinding[]> {
  if (files.length === 0) return [];
  // Exit status 1 only says "error-level matches found"; the JSON on stdout is the answer either way.
  const { stdout } = await execFileAsync(astGrepBinary(), ['scan', '--config', config, '--json=stream', '--include-metadata', ...files], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string; code?: number; stderr?: string }) => {
    if (err.code === 1 && typeof err.stdout === 'string') return { stdout: err.stdout };
    throw new Error(`ast-grep failed: ${err.stderr ?? String(err)}`);
  });
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => MatchSchema.parse(JSON.parse(l)))
    .map((m) => ({
      rule: m.ruleId,
      file: m.file,
      line: m.range.start.line + 1,
      severity: m.metadata?.lmSeverity ?? FALLBACK[m.severity ?? 'error'] ?? 'high',
      message: m.message,
    }));
}

export const astGrepScanner = {
  id: 'ast-grep' as const,
  title: 'semgrep-style rules for this codebase (ast-grep)',
  run: async (ctx) => {
    const [rules, files] = await Promise.all([loadAstGrepRules(), repoFiles(ctx.root).then(sourceFiles)]);
    const findings = await astGrepScan(ctx.root, files.filter((f) => /\.(ts|mts)$/.test(f)));
    return outcomeFor(findings, `${rules.length} rules (${rules.map((r) => r.id).join(', ')}) over ${files.length} source files`);
  },
} satisfies Scanner;
