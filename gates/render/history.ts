import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DecisionSchema, type Decision } from '../decide.js';
import { PastDecisionSchema } from '../relative.js';
import { COLOR, esc } from './html-kit.js';

/** What the trend and the relative criteria (gates/relative.ts) need of an earlier decision. */
const HistorySchema = DecisionSchema.pick({ createdAt: true, commit: true, policy: true, verdict: true, score: true, minScore: true, promote: true }).extend({ checks: PastDecisionSchema.shape.checks });
export type HistoryEntry = ReturnType<typeof HistorySchema.parse> & { source: string };

export interface History {
  entries: HistoryEntry[];
  /** Files under the folder that are not decisions, each with why: shown, never silently dropped. */
  problems: string[];
}

/**
 * Earlier decisions for the trend: every `*.json` under `dir` (any depth, e.g. `DIR/<sha>/decision.json`) that reads as
 * a gate decision, oldest first. A missing folder is an error (the caller asked for it); an unreadable file is a problem.
 *
 * @example
 *   const { entries } = await loadHistory('ci-history'); // [{ commit: { sha: 'ab12…' }, verdict: 'pass', score: 0.97, … }]
 */
export async function loadHistory(dir: string): Promise<History> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json')).sort();
  const entries: HistoryEntry[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      const parsed = HistorySchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (parsed.success) entries.push({ ...parsed.data, source: relative(dir, path) });
      else problems.push(`${path}: not a gate decision (${parsed.error.issues.map((i) => i.path.join('.') || 'root').slice(0, 3).join(', ')})`);
    } catch (err) {
      problems.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  entries.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return { entries, problems };
}

/** Score per commit as a sparkline (dots in the verdict's colour, the minimum as a dashed line) and a table, oldest first, this decision last. */
export function trendSection(history: History | undefined, current: Decision): string {
  if (!history) return '';
  const points = [...history.entries.map((e) => ({ ...e, now: false })), { ...current, source: 'this decision', now: true }];
  const W = 60 + Math.max(1, points.length - 1) * 48;
  const H = 90;
  const x = (i: number) => 30 + i * 48;
  const y = (score: number) => 10 + (1 - Math.max(0, Math.min(1, score))) * (H - 20);
  const line = points.map((p, i) => `${x(i)},${y(p.score).toFixed(1)}`).join(' ');
  const dots = points
    .map((p, i) => `<circle cx="${x(i)}" cy="${y(p.score).toFixed(1)}" r="${p.now ? 6 : 4}" fill="${COLOR[p.verdict]}"><title>${esc(`${p.commit.sha.slice(0, 12)} ${p.verdict} score ${p.score}`)}</title></circle>`)
    .join('');
  const min = `<line x1="20" x2="${W - 10}" y1="${y(current.minScore).toFixed(1)}" y2="${y(current.minScore).toFixed(1)}" stroke="#57606a" stroke-dasharray="4 3"/>`;
  const rows = points
    .map(
      (p) =>
        `<tr data-trend="${esc(p.commit.sha)}"${p.now ? ' class="current"' : ''}><td><code>${esc(p.commit.sha.slice(0, 12))}</code></td><td>${esc(p.createdAt)}</td><td>${esc(p.policy.name)}</td><td><span style="color:${COLOR[p.verdict]}">${esc(p.verdict)}</span></td><td class="num">${p.score}</td><td>${esc(p.source)}</td></tr>`,
    )
    .join('');
  const problems = history.problems.length ? `<p class="muted">Not read: ${history.problems.map(esc).join('; ')}</p>` : '';
  return `<section id="trend"><h2>Trend across commits</h2>
<svg id="trend-chart" width="${W}" height="${H}" role="img" aria-label="${esc(`score per commit, ${points.length} decisions, oldest first; dashed line the policy minimum ${current.minScore}`)}"><polyline points="${line}" fill="none" stroke="#8c959f" stroke-width="2"/>${min}${dots}</svg>
<table><thead><tr><th>commit</th><th>decided</th><th>policy</th><th>verdict</th><th class="num">score</th><th>from</th></tr></thead><tbody>${rows}</tbody></table>${problems}</section>`;
}
