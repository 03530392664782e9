import { judgedRuns, type ChaosReport, type EvalReport, type LoadReport, type Report, type ReportKind } from '../../evals/report/index.js';
import type { CheckResult, Decision } from '../decide.js';

/** Reports the page draws from (the same ones the decision judged), by kind. */
export type ReportsByKind = Partial<Record<ReportKind, Report>>;

const esc = (s: unknown) => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const HEADLINE = { pass: 'PROMOTE', warn: 'PROMOTE WITH WARNINGS', fail: 'BLOCKED', inconclusive: 'INCONCLUSIVE' } as const;
const COLOR = { pass: '#1a7f37', warn: '#9a6700', fail: '#cf222e', inconclusive: '#6e7781' } as const;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;margin:16px 0}
h1{margin:0;font-size:30px;letter-spacing:.5px}h2{font-size:18px;margin:0 0 12px}
.verdict{color:#fff;border-radius:8px;padding:20px 24px}.meta{opacity:.92;margin-top:6px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:#57606a}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600}
code{font:12px ui-monospace,monospace;word-break:break-all}.muted{color:#57606a}.up{color:#1a7f37}.down{color:#cf222e}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}`;

const badge = (v: CheckResult['verdict']) => `<span class="badge" style="background:${COLOR[v]}">${esc(v)}</span>`;

/** A horizontal bar of the measured value against the threshold marker, scaled to whichever is larger. */
function valueBar(c: CheckResult, thresholdValue: number | undefined): string {
  if (c.measured === null || thresholdValue === undefined) return '';
  const max = Math.max(c.measured, thresholdValue, c.baseline ?? 0) * 1.15 || 1;
  const x = (v: number) => Math.round((v / max) * 200);
  return `<svg width="210" height="18" role="img" aria-label="${esc(`${c.measuredText} vs ${c.threshold ?? ''}`)}"><rect x="0" y="4" width="200" height="10" fill="#eaeef2"/><rect x="0" y="4" width="${x(c.measured)}" height="10" fill="${COLOR[c.verdict]}"/>${
    c.baseline !== null ? `<line x1="${x(c.baseline)}" x2="${x(c.baseline)}" y1="2" y2="16" stroke="#8250df" stroke-width="2" stroke-dasharray="2 2"/>` : ''
  }<line x1="${x(thresholdValue)}" x2="${x(thresholdValue)}" y1="0" y2="18" stroke="#1f2328" stroke-width="2"/></svg>`;
}

function trend(c: CheckResult): string {
  if (c.baseline === null || c.measured === null || c.baselineText === null) return '<span class="muted">—</span>';
  const delta = c.measured - c.baseline;
  const arrow = delta === 0 ? '→' : delta > 0 ? '▲' : '▼';
  return `${esc(c.baselineText)} <span class="${delta >= 0 ? 'up' : 'down'}">${arrow}</span>`;
}

function checksSection(decision: Decision, thresholds: Record<string, number | undefined>): string {
  const rows = decision.checks
    .map(
      (c) => `<tr data-check="${esc(c.id)}" data-verdict="${esc(c.verdict)}"><td><strong>${esc(c.title)}</strong>${c.veto ? ' <span class="muted">(veto)</span>' : ''}<br><code>${esc(c.id)}</code></td>
<td>${badge(c.verdict)}</td><td>${esc(c.measuredText)}</td><td>${esc(c.threshold ?? '—')}</td><td>${valueBar(c, thresholds[c.id])}</td><td>${trend(c)}</td>
<td>${c.evidence ? `<code>${esc(c.evidence)}</code>` : '<span class="muted">none</span>'}</td><td>${esc(c.reason)}</td></tr>`,
    )
    .join('\n');
  return `<section id="checks"><h2>Checks</h2><table><thead><tr><th>check</th><th>verdict</th><th>measured</th><th>threshold</th><th>value vs threshold</th><th>baseline</th><th>evidence</th><th>why</th></tr></thead><tbody>
${rows}</tbody></table><p class="muted">Bars: measured value; black line: threshold; dashed purple line: baseline.</p></section>`;
}

function evalSection(decision: Decision, report: EvalReport | undefined): string {
  if (!report) return '';
  const failed = judgedRuns(report.results).filter((r) => !r.pass);
  const errored = report.results.filter((r) => r.error);
  const baselineCheck = decision.checks.find((c) => c.id === 'eval-baseline');
  const flipsOf = (key: 'regressed' | 'improved') => (Array.isArray(baselineCheck?.details?.[key]) ? (baselineCheck.details[key] as { caseId: string; variant: string; repeat: number }[]) : []);
  const flipRows = [...flipsOf('regressed').map((f) => ({ ...f, dir: 'pass → fail' })), ...flipsOf('improved').map((f) => ({ ...f, dir: 'fail → pass' }))];
  const failRows = failed
    .slice(0, 200)
    .map((r) => `<tr><td><code>${esc(r.caseId)}</code></td><td>${esc(r.category)}</td><td>${esc(r.variant)}</td><td>${r.repeat}</td><td>${esc(r.graders.filter((g) => !g.pass).map((g) => `${g.id}: ${g.reason}`).join('; ') || 'no failing grader recorded')}</td></tr>`)
    .join('');
  return `<section id="eval"><h2>Eval cases (${esc(report.mode)}, model ${esc(report.model)})</h2>
<p>${failed.length} judged run(s) failed, ${errored.length} harness error(s), ${flipRows.length} flipped against the baseline.</p>
${failRows ? `<table><thead><tr><th>case</th><th>category</th><th>variant</th><th>repeat</th><th>failing graders</th></tr></thead><tbody>${failRows}</tbody></table>` : '<p class="muted">No failed cases.</p>'}
${flipRows.length ? `<h2>Flipped vs baseline</h2><table><thead><tr><th>case</th><th>variant</th><th>repeat</th><th>flip</th></tr></thead><tbody>${flipRows.map((f) => `<tr><td><code>${esc(f.caseId)}</code></td><td>${esc(f.variant)}</td><td>${f.repeat}</td><td>${esc(f.dir)}</td></tr>`).join('')}</tbody></table>` : ''}</section>`;
}

function loadSection(report: LoadReport | undefined, p95Threshold: number | undefined, baseline: LoadReport | undefined): string {
  if (!report) return '';
  const bars = [
    ...report.results.map((r) => ({ label: `${r.scenario} #${r.run}`, p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms })),
    { label: 'summary', p50: report.summary.p50Ms, p95: report.summary.p95Ms, p99: report.summary.p99Ms },
    ...(baseline ? [{ label: 'baseline', p50: baseline.summary.p50Ms, p95: baseline.summary.p95Ms, p99: baseline.summary.p99Ms }] : []),
  ];
  const max = Math.max(...bars.map((b) => b.p99), p95Threshold ?? 0) * 1.1 || 1;
  const H = 180;
  const groupW = 78;
  const y = (v: number) => 20 + H - (v / max) * H;
  const colors = { p50: '#54aeff', p95: '#0969da', p99: '#0a3069' } as const;
  const groups = bars
    .map((b, i) =>
      (['p50', 'p95', 'p99'] as const)
        .map((k, j) => `<rect x="${50 + i * groupW + j * 20}" y="${y(b[k]).toFixed(1)}" width="18" height="${(20 + H - y(b[k])).toFixed(1)}" fill="${colors[k]}"><title>${esc(`${b.label} ${k} ${Math.round(b[k])} ms`)}</title></rect>`)
        .join('') + `<text x="${50 + i * groupW}" y="${H + 36}">${esc(b.label.slice(0, 13))}</text>`,
    )
    .join('');
  const width = 60 + bars.length * groupW;
  const line = p95Threshold !== undefined ? `<line x1="40" x2="${width}" y1="${y(p95Threshold)}" y2="${y(p95Threshold)}" stroke="#cf222e" stroke-dasharray="4 3"/><text x="${width - 110}" y="${y(p95Threshold) - 4}">p95 limit ${p95Threshold} ms</text>` : '';
  return `<section id="load"><h2>Load percentiles</h2><p>${report.summary.rps.toFixed(1)} rps, error rate ${(report.summary.errorRate * 100).toFixed(2)}%, ${report.summary.runs} run(s)${report.summary.comparison ? `; vs baseline: ${esc(report.summary.comparison.verdict)}` : ''}.</p>
<svg width="${width}" height="${H + 50}" role="img" aria-label="load latency percentiles"><line x1="40" x2="40" y1="20" y2="${H + 20}" stroke="#57606a"/><text x="0" y="24">${Math.round(max)}</text><text x="20" y="${H + 20}">0</text>${groups}${line}
<rect x="${width - 200}" y="2" width="10" height="10" fill="${colors.p50}"/><text x="${width - 186}" y="11">p50</text><rect x="${width - 150}" y="2" width="10" height="10" fill="${colors.p95}"/><text x="${width - 136}" y="11">p95</text><rect x="${width - 100}" y="2" width="10" height="10" fill="${colors.p99}"/><text x="${width - 86}" y="11">p99 (ms)</text></svg></section>`;
}

function chaosSection(report: ChaosReport | undefined): string {
  if (!report) return '';
  const drills = report.results
    .map((d) => {
      const events = d.timeline ?? [];
      const end = Math.max(60, ...events.map((e) => e.t), (d.deadlineSeconds ?? 0) + 30);
      const W = 700;
      const x = (t: number) => 20 + (t / end) * W;
      const marks = events
        .map((e, i) => `<circle cx="${x(e.t).toFixed(1)}" cy="30" r="5" fill="${e.ok === false ? COLOR.fail : e.ok ? COLOR.pass : '#8250df'}"><title>${esc(`${e.t}s ${e.event}`)}</title></circle><text x="${x(e.t).toFixed(1)}" y="${i % 2 ? 58 : 16}" text-anchor="middle">${esc(e.event.slice(0, 28))}</text>`)
        .join('');
      const phase = (name: string, s: { held: boolean }) => `${esc(name)}: <span style="color:${s.held ? COLOR.pass : COLOR.fail}">${s.held ? 'held' : 'broken'}</span>`;
      return `<div data-drill="${esc(d.drill)}"><p><strong>${esc(d.drill)}</strong> ${badge(d.verdict === 'pass' ? 'pass' : 'fail')} ${phase('before', d.before)} · ${phase('during', d.during)} · ${phase('after', d.after)} · recovery ${d.recoverySeconds === null ? 'never' : `${d.recoverySeconds}s`}${d.deadlineSeconds !== undefined ? ` (deadline ${d.deadlineSeconds}s)` : ''}</p>
<svg width="${W + 40}" height="66" role="img" aria-label="${esc(`${d.drill} timeline`)}"><line x1="20" x2="${W + 20}" y1="30" y2="30" stroke="#d0d7de" stroke-width="4"/>${d.deadlineSeconds !== undefined ? `<line x1="${x(d.deadlineSeconds)}" x2="${x(d.deadlineSeconds)}" y1="20" y2="40" stroke="#cf222e"/>` : ''}${marks}</svg></div>`;
    })
    .join('');
  return `<section id="chaos"><h2>Chaos timelines</h2>${drills || '<p class="muted">No drills ran.</p>'}</section>`;
}

function evidenceSection(decision: Decision): string {
  const rows = [...decision.evidence.map((e) => ({ ...e, role: 'evidence' })), ...decision.baselines.map((e) => ({ ...e, role: 'baseline' }))]
    .map((e) => `<tr><td>${esc(e.role)}</td><td>${esc(e.kind)}</td><td><code>${esc(e.path)}</code></td><td>${esc(e.status)}</td><td><code>${esc(e.sha256 ?? '—')}</code></td><td>${esc(e.reasons.join('; '))}</td></tr>`)
    .join('');
  return `<section id="evidence"><h2>Evidence</h2><table><thead><tr><th>role</th><th>kind</th><th>file</th><th>status</th><th>sha256</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">Policy <code>${esc(decision.policy.file)}</code> sha256 <code>${esc(decision.policy.sha256)}</code></p></section>`;
}

/**
 * The release manager's page: one self-contained HTML file (inline CSS and SVG, no external asset),
 * verdict first.
 *
 * @example
 *   writeFileSync('reports/gate/report.html', renderHtml(decision, reports, baselines, thresholds));
 */
export function renderHtml(decision: Decision, reports: ReportsByKind, baselines: ReportsByKind, thresholds: Record<string, number | undefined>): string {
  const title = `LuminaMind gate (${decision.policy.name}): ${HEADLINE[decision.verdict]}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
<section id="verdict" class="verdict" style="background:${COLOR[decision.verdict]}" data-verdict="${esc(decision.verdict)}"><h1>${esc(HEADLINE[decision.verdict])}</h1>
<div class="meta">Policy <strong>${esc(decision.policy.name)}</strong> · commit <code>${esc(decision.commit.sha.slice(0, 12))}</code> · score ${decision.score} (min ${decision.minScore}) · exit code ${decision.exitCode} · ${esc(decision.createdAt)}</div>
<div class="meta">${esc(decision.reasons.join('; '))}</div></section>
${checksSection(decision, thresholds)}
${evalSection(decision, reports.eval as EvalReport | undefined)}
${loadSection(reports.load as LoadReport | undefined, thresholds['load-p95'], baselines.load as LoadReport | undefined)}
${chaosSection(reports.chaos as ChaosReport | undefined)}
${evidenceSection(decision)}
</main></body></html>
`;
}
