import type { CoverageReport, SecurityReport, Severity, StageRun } from '../../evals/report/index.js';
import type { Decision, StageRecord } from '../decide.js';
import { COLOR, DASH, esc, fileLink, formatDuration, muted } from './html-kit.js';

/** Links to files beside the page, relative to its folder; a key is absent when the file does not exist. */
export interface PageLinks {
  /** By path as written in the decision (evidence, baselines, policy). */
  files: Readonly<Record<string, string>>;
  promptfoo?: string;
  coverageHtml?: string;
  coverageRaw?: string;
  loadBaseline?: string;
  /** Chaos journal per drill. */
  journals: Readonly<Record<string, string>>;
}

export const NO_LINKS: PageLinks = { files: {}, journals: {} };

const linkOr = (links: PageLinks, path: string) => (links.files[path] ? fileLink(links.files[path]!, path) : `<code>${esc(path)}</code>`);

export function evidenceSection(decision: Decision, links: PageLinks): string {
  const rows = [...decision.evidence.map((e) => ({ ...e, role: 'evidence' })), ...decision.baselines.map((e) => ({ ...e, role: 'baseline' }))]
    .map(
      (e) =>
        `<tr data-evidence="${esc(e.kind)}"><td>${esc(e.role)}</td><td>${esc(e.kind)}</td><td>${linkOr(links, e.path)}</td><td>${esc(e.status)}</td><td>${e.gitSha ? `<code>${esc(e.gitSha.slice(0, 12))}</code>` : DASH}</td><td><code>${esc(e.sha256 ?? '—')}</code></td><td>${esc(e.reasons.join('; '))}</td></tr>`,
    )
    .join('');
  const more = [
    links.promptfoo ? `<li>${fileLink(links.promptfoo)}: promptfoo's own report of the eval run</li>` : '',
    links.coverageHtml ? `<li>${fileLink(links.coverageHtml)}: line-by-line coverage</li>` : links.coverageRaw ? `<li>${fileLink(links.coverageRaw)}: coverage per file (no HTML coverage was written)</li>` : '',
    links.loadBaseline ? `<li>${fileLink(links.loadBaseline)}: the load baseline compared with</li>` : '',
    ...Object.entries(links.journals).map(([drill, href]) => `<li>${fileLink(href)}: journal of chaos drill ${esc(drill)}</li>`),
  ].join('');
  return `<section id="evidence"><h2>Evidence</h2><table><thead><tr><th>role</th><th>kind</th><th>file</th><th>status</th><th>commit</th><th>sha256</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>
${more ? `<h3>Detail</h3><ul id="artifacts">${more}</ul>` : ''}
<p class="muted">Policy ${linkOr(links, decision.policy.file)} sha256 <code>${esc(decision.policy.sha256)}</code></p></section>`;
}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Every finding, medium and low included, in a collapsible table; the scanner checks that could not run are named. */
export function securitySection(report: SecurityReport | undefined): string {
  if (!report) return '';
  const counts = SEVERITIES.map((s) => `${report.summary.findings[s]} ${s}`).join(', ');
  const findings = [...report.results].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line);
  const rows = findings
    .map((f) => `<tr data-severity="${esc(f.severity)}"><td>${esc(f.severity)}</td><td>${esc(f.check)}</td><td><code>${esc(f.rule)}</code></td><td><code>${esc(`${f.file}:${f.line}`)}</code></td><td>${esc(f.message)}</td></tr>`)
    .join('');
  const checks = report.summary.checks
    .map((c) => `<li><code>${esc(c.id)}</code>: <span style="color:${c.status === 'pass' ? COLOR.pass : c.status === 'fail' ? COLOR.fail : COLOR.inconclusive}">${esc(c.status)}</span>${c.detail ? ` (${esc(c.detail)})` : ''}</li>`)
    .join('');
  return `<section id="security"><h2>Security findings</h2><p>${esc(counts)}.</p><ul>${checks}</ul>
${findings.length ? `<details id="security-findings"><summary>All ${findings.length} finding(s)</summary><table><thead><tr><th>severity</th><th>scanner</th><th>rule</th><th>where</th><th>message</th></tr></thead><tbody>${rows}</tbody></table></details>` : '<p class="muted">No findings.</p>'}</section>`;
}

/** The coverage totals, the test outcome and the least-covered files. */
export function coverageSection(report: CoverageReport | undefined, links: PageLinks): string {
  if (!report) return '';
  const s = report.summary;
  const m = (name: string, v: { covered: number; total: number; pct: number }) => `<td>${esc(name)}</td><td class="num">${v.pct.toFixed(2)}%</td><td class="num">${v.covered}/${v.total}</td>`;
  const worst = [...report.results].sort((a, b) => a.lines.pct - b.lines.pct).slice(0, 15);
  const detail = links.coverageHtml ? ` Line by line: ${fileLink(links.coverageHtml)}.` : links.coverageRaw ? ` Per file: ${fileLink(links.coverageRaw)}.` : '';
  return `<section id="coverage"><h2>Coverage and tests</h2>
<p>${s.tests ? `${s.tests.passed} tests passed, ${s.tests.failed} failed, ${s.tests.skipped} skipped${s.tests.files !== undefined ? ` in ${s.tests.files} files (${s.tests.failedFiles ?? 0} failed)` : ''}.` : 'No test outcome recorded.'}${detail}</p>
<table><thead><tr><th>measure</th><th class="num">covered</th><th class="num">covered / total</th></tr></thead><tbody><tr>${m('lines', s.lines)}</tr><tr>${m('branches', s.branches)}</tr><tr>${m('functions', s.functions)}</tr><tr>${m('statements', s.statements)}</tr></tbody></table>
${worst.length ? `<details><summary>${worst.length} least-covered files</summary><table><thead><tr><th>file</th><th class="num">lines</th><th class="num">branches</th></tr></thead><tbody>${worst.map((f) => `<tr><td><code>${esc(f.file)}</code></td><td class="num">${f.lines.pct.toFixed(1)}%</td><td class="num">${f.branches.pct.toFixed(1)}%</td></tr>`).join('')}</tbody></table></details>` : ''}</section>`;
}

/** Fields a stage record may carry beyond the original schema (the gate's evidence reuse adds them); read when present. */
type StageView = StageRecord & { durationMs?: number; reused?: { fromSha: string; reason?: string }; guard?: StageRun };

/** How long each stage took in this invocation, and what it did: ran, kept fresh evidence, reused, or could not run. */
export function stagesSection(decision: Decision): string {
  if (!decision.stages.length) return `<section id="stages"><h2>Stage timings</h2><p class="muted">This decision ran no stage (luminamind gate --no-run, or an older decision).</p></section>`;
  const rows = (decision.stages as StageView[])
    .map((s) => {
      const took = s.durationMs ?? (s.status === 'ran' ? s.run?.durationMs : undefined);
      const what = s.reused ? `reused from ${s.reused.fromSha.slice(0, 12)}${s.reused.reason ? ` (${s.reused.reason})` : ''}` : s.status;
      const exit = s.run && s.status === 'ran' ? (s.run.timedOut ? 'timed out' : String(s.run.exitCode ?? 'signal')) : '—';
      return `<tr data-stage="${esc(s.kind)}"><td>${esc(s.kind)}</td><td>${esc(what)}${s.note ? ` ${muted(s.note)}` : ''}</td><td>${s.run ? `<code>${esc(s.run.command)}</code>` : DASH}</td><td class="num">${esc(exit)}</td><td class="num duration">${esc(formatDuration(took))}</td><td class="num">${s.run ? esc(formatDuration(s.run.timeoutMs)) : '—'}</td></tr>`;
    })
    .join('');
  const total = (decision.stages as StageView[]).reduce((sum, s) => sum + (s.durationMs ?? (s.status === 'ran' ? (s.run?.durationMs ?? 0) : 0)), 0);
  return `<section id="stages"><h2>Stage timings</h2><table><thead><tr><th>stage</th><th>what happened</th><th>command</th><th class="num">exit</th><th class="num">took</th><th class="num">limit</th></tr></thead><tbody>${rows}</tbody></table><p>Total ${esc(formatDuration(total))} in stages.</p></section>`;
}
