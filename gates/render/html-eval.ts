import { hallucinationRate, isFaulty, passK, passRate, passed, sensitivity, summariseEval, toolSuccessRate, wilson, type EvalReport, type EvalResult, type EvalSummary } from '../../evals/report/index.js';
import type { Decision } from '../decide.js';
import { DASH, esc } from './html-kit.js';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const ci = (ok: number, n: number) => {
  if (n === 0) return '—';
  const w = wilson(ok, n);
  return `${pct(w.lower)} – ${pct(w.upper)}`;
};

/** A row per category: gold/live runs, passed, pass rate and its 95 % Wilson interval (the report package's measures). */
function categoryTable(summary: EvalSummary): string {
  const per = summary.perCategory ?? {};
  const rows = Object.entries(per)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cat, e]) => `<tr data-category="${esc(cat)}"><td>${esc(cat)}</td><td class="num">${e.runs}</td><td class="num">${e.passed}</td><td class="num">${pct(e.passRate)}</td><td class="num">${ci(e.passed, e.runs)}</td></tr>`)
    .join('');
  return `<h3>Per category (gold and live runs)</h3><table id="eval-categories"><thead><tr><th>category</th><th class="num">n</th><th class="num">passed</th><th class="num">pass rate</th><th class="num">95% CI (Wilson)</th></tr></thead><tbody>${rows || `<tr><td colspan="5">${DASH}</td></tr>`}</tbody></table>`;
}

/** A row per grader: runs it judged, its pass rate with CI and, in simulated mode, its own specificity and sensitivity. */
function graderTable(summary: EvalSummary): string {
  const per = summary.perGrader ?? {};
  const rows = Object.entries(per)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([id, g]) =>
        `<tr data-grader="${esc(id)}"><td><code>${esc(id)}</code></td><td class="num">${g.runs}</td><td class="num">${g.passed}</td><td class="num">${pct(g.runs ? g.passed / g.runs : null)}</td><td class="num">${ci(g.passed, g.runs)}</td><td class="num">${g.skipped}</td><td class="num">${pct(g.specificity)}</td><td class="num">${pct(g.sensitivity)}</td></tr>`,
    )
    .join('');
  return `<h3>Per grader (every variant it judged)</h3><table id="eval-graders"><thead><tr><th>grader</th><th class="num">n</th><th class="num">passed</th><th class="num">pass rate</th><th class="num">95% CI (Wilson)</th><th class="num">skipped</th><th class="num">specificity (gold passed)</th><th class="num">sensitivity (faults caught)</th></tr></thead><tbody>${rows || `<tr><td colspan="8">${DASH}</td></tr>`}</tbody></table>`;
}

/** Runs that went wrong: gold/live runs that did not pass, harness errors, and faulty variants no grader caught. */
function problemRuns(results: readonly EvalResult[]): { r: EvalResult; what: string; why: string }[] {
  return results.flatMap((r) => {
    if (r.error) return [{ r, what: 'harness error', why: `[${r.error.code ?? ''}] ${r.error.message}` }];
    if (isFaulty(r)) return r.pass ? [{ r, what: 'fault not caught', why: `every grader passed (${r.graders.filter((g) => !g.skipped).map((g) => g.id).join(', ')})` }] : [];
    if (passed(r)) return [];
    return [{ r, what: 'failed', why: r.graders.filter((g) => !g.pass && !g.skipped).map((g) => `${g.id}: ${g.reason}`).join('; ') || 'no failing grader recorded' }];
  });
}

const SHOWN = 300;

export function evalSection(decision: Decision, report: EvalReport | undefined, promptfooHref: string | null): string {
  if (!report) return '';
  const problems = problemRuns(report.results);
  const baselineCheck = decision.checks.find((c) => c.id === 'eval-baseline');
  // The check records flips by resultId ("case variant#repeat").
  const flipsOf = (key: 'regressed' | 'improved') => (Array.isArray(baselineCheck?.details?.[key]) ? (baselineCheck.details[key] as unknown[]).map((f) => (typeof f === 'string' ? f : JSON.stringify(f))) : []);
  const flipRows = [...flipsOf('regressed').map((id) => ({ id, dir: 'went as expected in the baseline, not now' })), ...flipsOf('improved').map((id) => ({ id, dir: 'now as expected, not in the baseline' }))];
  // The same measures the checks judge, from the results (not the producer's summary).
  const pr = passRate(report.results);
  const k = report.summary.passK.k;
  const sens = sensitivity(report.results);
  // Recomputed from the results by the report package, so the tables agree with the checks even if the summary does not.
  const summary = summariseEval(report.results, k);
  const rows = problems
    .slice(0, SHOWN)
    .map(({ r, what, why }) => `<tr data-case="${esc(r.caseId)}"><td><code>${esc(r.caseId)}</code></td><td>${esc(r.category)}</td><td>${esc(r.variant)}</td><td class="num">${r.repeat}</td><td>${esc(what)}</td><td>${esc(why)}</td></tr>`)
    .join('');
  const more = problems.length > SHOWN ? `<p class="muted">${problems.length - SHOWN} more not shown; every run is in the eval report.</p>` : '';
  return `<section id="eval"><h2>Eval (${esc(report.mode)}, model ${esc(report.model)})</h2>
<p>${new Set(report.results.map((r) => r.caseId)).size} cases, ${report.results.length} runs; pass rate ${pct(pr.rate)} (${pr.passed}/${pr.runs}, 95% CI ${pct(pr.ci.lower)} – ${pct(pr.ci.upper)}), pass^${k} ${pct(passK(report.results, k).rate)}, hallucination ${pct(hallucinationRate(report.results).rate)}, tool success ${pct(toolSuccessRate(report.results).rate)}${sens.faulty ? `, faults caught ${pct(sens.rate)}` : ''}. ${problems.length} run(s) went wrong, ${flipRows.length} flipped against the baseline.${promptfooHref ? ` promptfoo's own view: <a href="${esc(promptfooHref)}">promptfoo report</a>.` : ''}</p>
${categoryTable(summary)}
${graderTable(summary)}
<h3>Runs that went wrong</h3>
${rows ? `<table id="eval-failures"><thead><tr><th>case</th><th>category</th><th>variant</th><th class="num">repeat</th><th>what</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>${more}` : '<p class="muted">None: every gold or live run passed and every fault was caught.</p>'}
${flipRows.length ? `<h3>Flipped vs baseline</h3><table id="eval-flips"><thead><tr><th>run</th><th>flip</th></tr></thead><tbody>${flipRows.map((f) => `<tr><td><code>${esc(f.id)}</code></td><td>${esc(f.dir)}</td></tr>`).join('')}</tbody></table>` : ''}</section>`;
}
