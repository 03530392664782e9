import { asExpected, groupId, resultId, type EvalReport, type EvalResult, type Flips } from './report/index.js';
import { trajectoryFile } from './trajectories.js';

// The eval's Markdown summary (reports/eval/summary.md; CI appends it to the job summary / PR): the figures, the
// flaky cases and, against a baseline, every case whose verdict flipped — each linked to the run behind it.

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);

/** The run to open for a group: its first result that did not go as expected, else its first. */
function linkFor(results: readonly EvalResult[], group: string): string {
  const runs = results.filter((r) => groupId(r) === group);
  const r = runs.find((x) => !asExpected(x)) ?? runs[0];
  return r ? `[${resultId(r)}](${trajectoryFile(r)})` : group;
}

/**
 * @example
 *   await writeFile('reports/eval/summary.md', formatMarkdown(report, flipsAgainst(base.results, report.results)));
 */
export function formatMarkdown(report: Pick<EvalReport, 'mode' | 'model' | 'summary' | 'results'>, flips?: Flips): string {
  const s = report.summary;
  const rate = (group: string): string => {
    const g = s.perCase?.[group];
    return g ? `${g.passed}/${g.runs}` : '—';
  };
  const lines = [
    `## LuminaMind eval — ${report.mode}, model \`${report.model}\``,
    '',
    '| measure | value |',
    '|---|---|',
    `| runs (cases) | ${s.runs} (${s.cases}) |`,
    `| pass rate | ${pct(s.passRate)} (95 % CI ${pct(s.passRateCi.lower)}–${pct(s.passRateCi.upper)}) |`,
    `| pass^${s.passK.k} | ${pct(s.passK.rate)} |`,
    `| flaky cases | ${s.flaky?.length ?? 0} |`,
    `| over budget | ${s.overBudget ?? 0} |`,
    `| harness errors | ${pct(s.harnessErrorRate)} |`,
    `| cost (agent / judges) | $${(s.costUsd ?? 0).toFixed(4)} / $${(s.judgeUsage?.costUsd ?? 0).toFixed(4)} |`,
  ];
  if (flips) {
    const section = (title: string, groups: string[]): string[] => (groups.length ? ['', `**${title}** (${groups.length})`, '', ...groups.map((g) => `- ${g} — ${rate(g)} as expected — ${linkFor(report.results, g)}`)] : []);
    const total = flips.regressed.length + flips.fixed.length + flips.newlyFlaky.length + flips.steadied.length;
    lines.push('', '### Against the baseline', '', total ? `${total} case(s) changed verdict.` : 'No case changed verdict.');
    lines.push(...section('Regressed', flips.regressed), ...section('Fixed', flips.fixed), ...section('Newly flaky', flips.newlyFlaky), ...section('No longer flaky', flips.steadied));
  }
  if (s.flaky?.length) lines.push('', '### Flaky (passed and failed across repeats)', '', ...s.flaky.map((g) => `- ${g} — ${rate(g)} as expected — ${linkFor(report.results, g)}`));
  const errors = report.results.filter((r) => r.error);
  if (errors.length) lines.push('', `### Harness errors (${errors.length}; not failures — \`eval --retry-errors\`)`, '', ...errors.slice(0, 20).map((r) => `- ${resultId(r)}: \`${r.error!.code ?? ''}\` ${r.error!.message.split('\n')[0]!.slice(0, 160)}`));
  return `${lines.join('\n')}\n`;
}
