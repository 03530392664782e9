import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ReportKindSchema, defaultReportPath, parseReport, type Report, type ReportKind } from '../evals/report/index.js';

/** One report file as found on disk: hashed as read, so the decision names the exact bytes it judged. */
export interface Evidence {
  kind: ReportKind;
  path: string;
  status: 'ok' | 'missing' | 'invalid';
  sha256: string | null;
  report?: Report;
  error?: string;
}
export type EvidenceSet = Partial<Record<ReportKind, Evidence>>;

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads one report file; never throws: a missing or invalid file is evidence of that. */
export async function loadEvidenceFile(kind: ReportKind, path: string): Promise<Evidence> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { kind, path, status: 'missing', sha256: null };
  }
  const hash = sha256(bytes);
  try {
    const report = parseReport(JSON.parse(bytes.toString('utf8')), path);
    if (report.kind !== kind) return { kind, path, status: 'invalid', sha256: hash, error: `expected a ${kind} report, found ${report.kind}` };
    return { kind, path, status: 'ok', sha256: hash, report };
  } catch (err) {
    return { kind, path, status: 'invalid', sha256: hash, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Loads `<dir>/<kind>/report.json` for every kind.
 *
 * @example
 *   const reports = await loadEvidence('reports');
 */
export async function loadEvidence(dir: string): Promise<EvidenceSet> {
  const entries = await Promise.all(ReportKindSchema.options.map(async (kind) => [kind, await loadEvidenceFile(kind, defaultReportPath(kind, dir))] as const));
  return Object.fromEntries(entries);
}

export interface CommitInfo {
  sha: string;
  /** Committer date (ISO); evidence created before it cannot be about this commit. */
  time: string | null;
}

const execFileAsync = promisify(execFile);

/** HEAD (or `ref`) and its committer time; `{sha: "unknown"}` outside git, which makes all evidence stale. */
export async function commitInfo(ref = 'HEAD', cwd = process.cwd()): Promise<CommitInfo> {
  try {
    const { stdout } = await execFileAsync('git', ['show', '-s', '--format=%H %cI', ref], { cwd });
    const [sha, time] = stdout.trim().split(' ');
    return { sha: sha ?? 'unknown', time: time ?? null };
  } catch {
    return { sha: 'unknown', time: null };
  }
}

