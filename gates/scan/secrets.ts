import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Severity } from '../../evals/report/index.js';
import { repoFiles } from './files.js';
import { outcomeFor, type ScanFinding, type Scanner } from './types.js';

interface SecretPattern {
  id: string;
  re: RegExp;
  severity: Severity;
  what: string;
}

/** Known credential formats: a match is a finding whatever its entropy. */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { id: 'private-key', re: /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/, severity: 'critical', what: 'a private key' },
  { id: 'openai-key', re: /\bsk-(proj-|ant-|live-|svcacct-)?[A-Za-z0-9_-]{20,}/, severity: 'high', what: 'an OpenAI-style API key' },
  { id: 'aws-access-key-id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, severity: 'high', what: 'an AWS access key id' },
  { id: 'aws-secret-key', re: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}/i, severity: 'high', what: 'an AWS secret key' },
  { id: 'github-token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/, severity: 'high', what: 'a GitHub token' },
  { id: 'slack-token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/, severity: 'high', what: 'a Slack token' },
  { id: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}\b/, severity: 'high', what: 'a Google API key' },
  {
    id: 'password-assignment',
    re: /\b(password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)\b["']?\s*[:=]\s*["']([^"'\s$`{}<>]{8,})["']/i,
    severity: 'high',
    what: 'a credential assigned a literal value',
  },
];

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

const KEY_LIKE = /[A-Za-z0-9+/_-]{32,}={0,2}/g;
const KEY_CONTEXT = /key|secret|token|passw|credential|auth|bearer/i;

/** A long, random-looking, mixed-case token next to a word like "key" or "token": possibly a credential. */
export function keyLikeStrings(line: string): string[] {
  if (!KEY_CONTEXT.test(line)) return [];
  return [...line.matchAll(KEY_LIKE)]
    .map((m) => m[0])
    .filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s) && !/^[A-Za-z]+$/.test(s) && shannonEntropy(s) >= 4.3);
}

export const AllowEntrySchema = z
  .object({
    /** Glob over repository paths. */
    files: z.string().min(1),
    /** Only findings of this pattern id (or `high-entropy`); all when absent. */
    rule: z.string().optional(),
    /** Regex (case-insensitive) the matched text must satisfy, so the entry covers the fake value and nothing else. */
    match: z.string().optional(),
    reason: z.string().min(10),
  })
  .strict();
export const AllowListSchema = z.object({ allow: z.array(AllowEntrySchema) }).strict();
export type AllowEntry = z.infer<typeof AllowEntrySchema>;

export const ALLOWLIST_PATH = join(import.meta.dirname, 'secrets-allowlist.yaml');

export async function loadAllowList(path = ALLOWLIST_PATH): Promise<AllowEntry[]> {
  return AllowListSchema.parse(parse(await readFile(path, 'utf8'))).allow;
}

function allowed(allow: readonly AllowEntry[], file: string, rule: string, text: string): boolean {
  // eslint-disable-next-line security/detect-non-literal-regexp -- the pattern comes from a reviewed file in this repository
  return allow.some((a) => picomatch(a.files, { dot: true })(file) && (!a.rule || a.rule === rule) && (!a.match || new RegExp(a.match, 'i').test(text)));
}

function redact(text: string): string {
  return text.length <= 8 ? '****' : `${text.slice(0, 4)}…${text.slice(-2)} (${text.length} chars)`;
}

/** Scans one file's text; findings never contain the secret itself. */
export function scanText(file: string, text: string, allow: readonly AllowEntry[]): ScanFinding[] {
  const findings: ScanFinding[] = [];
  text.split('\n').forEach((line, i) => {
    for (const p of SECRET_PATTERNS) {
      const m = p.re.exec(line);
      if (!m || allowed(allow, file, p.id, m[0])) continue;
      findings.push({ rule: `secrets/${p.id}`, file, line: i + 1, severity: p.severity, message: `${p.what}: ${redact(m[0])}` });
    }
    for (const s of keyLikeStrings(line)) {
      if (allowed(allow, file, 'high-entropy', s) || findings.some((f) => f.line === i + 1 && f.file === file)) continue;
      findings.push({ rule: 'secrets/high-entropy', file, line: i + 1, severity: 'medium', message: `key-like string (${shannonEntropy(s).toFixed(2)} bits/char): ${redact(s)}` });
    }
  });
  return findings;
}

const MAX_BYTES = 2 * 1024 * 1024;

export async function scanFiles(root: string, files: readonly string[], allow: readonly AllowEntry[]): Promise<{ findings: ScanFinding[]; scanned: number }> {
  const findings: ScanFinding[] = [];
  let scanned = 0;
  for (const file of files) {
    const path = join(root, file);
    const st = await stat(path);
    if (!st.isFile() || st.size > MAX_BYTES) continue;
    const bytes = await readFile(path);
    if (bytes.subarray(0, 8192).includes(0)) continue;
    scanned++;
    findings.push(...scanText(file, bytes.toString('utf8'), allow));
  }
  return { findings, scanned };
}

export const secretsScanner = {
  id: 'secrets' as const,
  title: 'secret scan of the tree (known key formats + entropy)',
  run: async (ctx) => {
    const [files, allow] = await Promise.all([repoFiles(ctx.root), loadAllowList()]);
    const { findings, scanned } = await scanFiles(ctx.root, files, allow);
    return outcomeFor(findings, `${scanned} text files (git ls-files + untracked, not ignored), ${SECRET_PATTERNS.length} patterns + entropy, ${allow.length} allow-list entries`);
  },
} satisfies Scanner;
