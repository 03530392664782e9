import { getCheck } from '../checks/index.js';
import type { Unit } from '../checks/types.js';
import { CREDIT, type CheckResult, type Decision } from '../decide.js';
import { COLOR, DASH, badge, esc, fileLink } from './html-kit.js';

/** Units whose value sits on a scale where "how far from the threshold" means something; counts of failures do not. */
const BARRED_UNITS: ReadonlySet<Unit> = new Set(['ratio', 'pct', 'ms', 'rps']);

/** A horizontal bar of the measured value against the threshold marker (and the baseline, when one was compared). */
function valueBar(c: CheckResult, thresholdValue: number | undefined): string {
  if (c.measured === null || thresholdValue === undefined || !BARRED_UNITS.has(getCheck(c.id).unit)) return '';
  const max = Math.max(c.measured, thresholdValue, c.baseline ?? 0) * 1.15 || 1;
  const x = (v: number) => Math.round((v / max) * 200);
  const label = `${c.measuredText} against threshold ${c.threshold ?? ''}${c.baselineText ? `, baseline ${c.baselineText}` : ''}`;
  return `<svg class="bar" width="210" height="18" role="img" aria-label="${esc(label)}"><rect x="0" y="4" width="200" height="10" fill="#eaeef2"/><rect x="0" y="4" width="${x(c.measured)}" height="10" fill="${COLOR[c.verdict]}"/>${
    c.baseline !== null ? `<line class="baseline-mark" x1="${x(c.baseline)}" x2="${x(c.baseline)}" y1="2" y2="16" stroke="#8250df" stroke-width="2" stroke-dasharray="2 2"/>` : ''
  }<line x1="${x(thresholdValue)}" x2="${x(thresholdValue)}" y1="0" y2="18" stroke="#1f2328" stroke-width="2"/></svg>`;
}

/**
 * What the check was compared with: the baseline's value of the same measure, or for the comparison checks (McNemar
 * over paired eval results, the load tool's own comparison) what was compared and how it came out.
 */
export function baselineCell(c: CheckResult): string {
  if (c.baseline !== null && c.measured !== null && c.baselineText !== null) {
    const delta = c.measured - c.baseline;
    const arrow = delta === 0 ? '→' : delta > 0 ? '▲' : '▼';
    return `${esc(c.baselineText)} <span class="${delta >= 0 ? 'up' : 'down'}" aria-label="${delta === 0 ? 'unchanged' : delta > 0 ? 'now higher' : 'now lower'}">${arrow}</span>`;
  }
  const d = c.details ?? {};
  if (c.id === 'eval-baseline' && typeof d.paired === 'number') {
    const n = (k: string) => (Array.isArray(d[k]) ? (d[k] as unknown[]).length : 0);
    return esc(`${d.paired} pairs compared: ${n('regressed')} regressed, ${n('improved')} improved${typeof d.pValue === 'number' ? `, p=${d.pValue.toPrecision(3)}` : ''}`);
  }
  const comparison = d.comparison as { baseline?: unknown; verdict?: unknown } | undefined;
  if (c.id === 'load-baseline' && comparison?.baseline) return `${esc(String(comparison.verdict))} vs <code>${esc(String(comparison.baseline))}</code>`;
  return DASH;
}

/** The score as the decision made it: Σ weight × credit(verdict) / Σ weight, with each check's share. */
export function scoreParts(decision: Decision): { earned: number; total: number; score: number } {
  const total = decision.checks.reduce((s, c) => s + c.weight, 0);
  const earned = decision.checks.reduce((s, c) => s + c.weight * CREDIT[c.verdict], 0);
  return { earned, total, score: total ? earned / total : 0 };
}

const creditText = (Object.keys(CREDIT) as (keyof typeof CREDIT)[]).map((v) => `${v} ${CREDIT[v]}`).join(', ');

/** `evidenceHref` turns an evidence path into a link relative to the page, or null when it cannot be linked. */
export function checksSection(decision: Decision, thresholds: Record<string, number | undefined>, evidenceHref: (path: string) => string | null): string {
  const rows = decision.checks
    .map((c) => {
      const href = c.evidence ? evidenceHref(c.evidence) : null;
      const evidence = c.evidence ? (href ? fileLink(href, c.evidence) : `<code>${esc(c.evidence)}</code>`) : '<span class="muted">none</span>';
      return `<tr data-check="${esc(c.id)}" data-verdict="${esc(c.verdict)}"><td><strong>${esc(c.title)}</strong>${c.veto ? ' <span class="muted">(veto)</span>' : ''}<br><code>${esc(c.id)}</code></td>
<td>${badge(c.verdict)}</td><td>${esc(c.measuredText)}</td><td>${esc(c.threshold ?? '—')}</td><td>${valueBar(c, thresholds[c.id])}</td><td class="baseline">${baselineCell(c)}</td>
<td class="num weight">${c.weight}</td><td class="num">${(c.weight * CREDIT[c.verdict]).toFixed(2)}</td><td>${evidence}</td><td>${esc(c.reason)}</td></tr>`;
    })
    .join('\n');
  const { earned, total } = scoreParts(decision);
  const anyBaseline = decision.checks.some((c) => c.baseline !== null && valueBar(c, thresholds[c.id]));
  return `<section id="checks"><h2>Checks</h2><table><thead><tr><th>check</th><th>verdict</th><th>measured</th><th>threshold</th><th>value vs threshold</th><th>baseline</th><th class="num">weight</th><th class="num">earned</th><th>evidence</th><th>why</th></tr></thead><tbody>
${rows}</tbody></table>
<p id="score-formula">Score = Σ weight × credit ÷ Σ weight = ${earned.toFixed(2)} ÷ ${total} = <strong>${decision.score}</strong> (policy minimum ${decision.minScore}); credit per verdict: ${esc(creditText)}. A failed veto check blocks whatever the score.</p>
<p class="muted">Bars (measured values only, not counts): filled bar the measured value, black line the threshold${anyBaseline ? ', dashed purple line the baseline' : ''}.</p></section>`;
}
