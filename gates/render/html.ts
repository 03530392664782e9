import type { ChaosReport, CoverageReport, EvalReport, LoadReport, Report, ReportKind, SecurityReport } from '../../evals/report/index.js';
import type { Decision } from '../decide.js';
import { chaosSection } from './html-chaos.js';
import { checksSection } from './html-checks.js';
import { evalSection } from './html-eval.js';
import { NO_LINKS, coverageSection, evidenceSection, securitySection, stagesSection, type PageLinks } from './html-evidence.js';
import { COLOR, CSS, HEADLINE, esc } from './html-kit.js';
import { loadSection } from './html-load.js';
import { trendSection, type History } from './history.js';

/** Reports the page draws from (the same ones the decision judged), by kind. */
export type ReportsByKind = Partial<Record<ReportKind, Report>>;

export interface PageExtras {
  /** Files beside the page to link (findLinks); without it paths are shown as text. */
  links?: PageLinks;
  /** Earlier decisions (`luminamind gate --history DIR`); the trend section appears only when given. */
  history?: History;
}

/**
 * The release manager's page: one self-contained HTML file (inline CSS and SVG, no script, no external asset; links
 * only to files beside it, by relative path), verdict first. Every report field is escaped.
 *
 * @example
 *   writeFileSync('reports/gate/report.html', renderHtml(decision, reports, baselines, thresholds, { links, history }));
 */
export function renderHtml(decision: Decision, reports: ReportsByKind, baselines: ReportsByKind, thresholds: Record<string, number | undefined>, extras: PageExtras = {}): string {
  const links = extras.links ?? NO_LINKS;
  const title = `LuminaMind gate (${decision.policy.name}): ${HEADLINE[decision.verdict]}`;
  const nav = ['checks', 'stages', ...(extras.history ? ['trend'] : []), 'coverage', 'security', 'eval', 'load', 'chaos', 'evidence'].map((id) => `<a href="#${id}">${id}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
<section id="verdict" class="verdict" style="background:${COLOR[decision.verdict]}" data-verdict="${esc(decision.verdict)}"><h1>${esc(HEADLINE[decision.verdict])}</h1>
<div class="meta">Policy <strong>${esc(decision.policy.name)}</strong> · commit <code>${esc(decision.commit.sha.slice(0, 12))}</code> · score ${decision.score} (min ${decision.minScore}, <a href="#score-formula" style="color:#fff">how</a>) · exit code ${decision.exitCode} · ${esc(decision.createdAt)}</div>
<div class="meta">${esc(decision.reasons.join('; '))}</div></section>
<nav aria-label="sections">${nav}</nav>
${checksSection(decision, thresholds, (path) => links.files[path] ?? null)}
${stagesSection(decision)}
${trendSection(extras.history, decision)}
${coverageSection(reports.coverage as CoverageReport | undefined, links)}
${securitySection(reports.security as SecurityReport | undefined)}
${evalSection(decision, reports.eval as EvalReport | undefined, links.promptfoo ?? null)}
${loadSection(reports.load as LoadReport | undefined, thresholds['load-p95'], baselines.load as LoadReport | undefined, links.loadBaseline ?? null)}
${chaosSection(reports.chaos as ChaosReport | undefined, links.journals)}
${evidenceSection(decision, links)}
</main></body></html>
`;
}
