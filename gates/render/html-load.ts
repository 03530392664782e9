import type { LoadReport, LoadResult } from '../../evals/report/index.js';
import { esc, fileLink } from './html-kit.js';

interface Group {
  label: string;
  p50: number;
  p95: number;
  p99: number;
  baseline?: boolean;
}

const profileName = (report: LoadReport): string | null => {
  const p = report.config.profile as { name?: unknown } | undefined;
  return typeof p?.name === 'string' ? p.name : null;
};

/** "smoke run 1/5" (and its shard): what the run was, not the scenario mix's internal name. */
export function runLabel(report: LoadReport, r: LoadResult): string {
  const name = profileName(report) ?? r.scenario;
  return `${name} run ${r.run + 1}/${report.results.length}${r.shard ? ` shard ${r.shard}` : ''}`;
}

/** The baseline's medians per percentile, as the load tool's own comparison recorded them (config.perPercentile). */
function comparedBaseline(report: LoadReport): Group | null {
  const per = report.config.perPercentile;
  if (!Array.isArray(per) || per.length === 0) return null;
  const of = (k: string) => (per as { percentile?: unknown; baselineMedian?: unknown }[]).find((p) => p.percentile === k)?.baselineMedian;
  const [p50, p95, p99] = ['p50Ms', 'p95Ms', 'p99Ms'].map(of);
  if (typeof p50 !== 'number' || typeof p95 !== 'number' || typeof p99 !== 'number') return null;
  return { label: 'baseline (median)', p50, p95, p99, baseline: true };
}

const COLORS = { p50: '#54aeff', p95: '#0969da', p99: '#0a3069' } as const;

/**
 * Percentiles per run, the summary, and the baseline when one was compared (from a baseline load report or the
 * comparison the load tool recorded). The legend names only what is drawn.
 */
export function loadSection(report: LoadReport | undefined, p95Threshold: number | undefined, baseline: LoadReport | undefined, baselineHref: string | null): string {
  if (!report) return '';
  const base: Group | null = baseline
    ? { label: 'baseline report', p50: baseline.summary.p50Ms, p95: baseline.summary.p95Ms, p99: baseline.summary.p99Ms, baseline: true }
    : comparedBaseline(report);
  const groups: Group[] = [
    ...report.results.map((r) => ({ label: runLabel(report, r), p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms })),
    { label: 'summary', p50: report.summary.p50Ms, p95: report.summary.p95Ms, p99: report.summary.p99Ms },
    ...(base ? [base] : []),
  ];
  const max = Math.max(...groups.map((b) => b.p99), p95Threshold ?? 0) * 1.1 || 1;
  const H = 180;
  const groupW = 100;
  const top = 30;
  const y = (v: number) => top + H - (v / max) * H;
  const bars = groups
    .map((g, i) => {
      const x0 = 50 + i * groupW;
      const rects = (['p50', 'p95', 'p99'] as const)
        .map((k, j) => `<rect x="${x0 + j * 22}" y="${y(g[k]).toFixed(1)}" width="20" height="${(top + H - y(g[k])).toFixed(1)}" fill="${COLORS[k]}"${g.baseline ? ' fill-opacity="0.45" stroke="#0a3069" stroke-dasharray="3 2"' : ''}><title>${esc(`${g.label} ${k} ${Math.round(g[k])} ms`)}</title></rect>`)
        .join('');
      return `<g data-group="${esc(g.label)}">${rects}<text x="${x0}" y="${top + H + 16}">${esc(g.label.length > 18 ? `${g.label.slice(0, 17)}…` : g.label)}</text></g>`;
    })
    .join('');
  const width = 70 + groups.length * groupW;
  const limit =
    p95Threshold !== undefined
      ? `<line x1="40" x2="${width}" y1="${y(p95Threshold).toFixed(1)}" y2="${y(p95Threshold).toFixed(1)}" stroke="#cf222e" stroke-dasharray="4 3"/>`
      : '';
  const legendItems = [
    ...(['p50', 'p95', 'p99'] as const).map((k) => `<rect width="10" height="10" fill="${COLORS[k]}"/><text x="14" y="9">${k}</text>`),
    ...(p95Threshold !== undefined ? [`<line x1="0" x2="14" y1="5" y2="5" stroke="#cf222e" stroke-dasharray="4 3"/><text x="18" y="9">p95 limit ${p95Threshold} ms</text>`] : []),
    ...(base ? [`<rect width="10" height="10" fill="#0969da" fill-opacity="0.45" stroke="#0a3069" stroke-dasharray="3 2"/><text x="14" y="9">${esc(base.label)}</text>`] : []),
  ];
  const legend = legendItems.map((item, i) => `<g class="legend-item" transform="translate(${50 + i * 130},4)">${item}</g>`).join('');
  const svgW = Math.max(width, 50 + legendItems.length * 130);
  const c = report.summary.comparison;
  return `<section id="load"><h2>Load percentiles${profileName(report) ? ` (profile ${esc(profileName(report))})` : ''}</h2><p>${report.summary.rps.toFixed(1)} rps, error rate ${(report.summary.errorRate * 100).toFixed(2)}%, ${report.summary.runs} run(s)${
    c ? `; vs baseline ${baselineHref ? fileLink(baselineHref, c.baseline) : `<code>${esc(c.baseline)}</code>`}: <strong>${esc(c.verdict)}</strong>${c.reason ? ` (${esc(c.reason)})` : ''}` : '; no baseline compared'
  }.</p>
<svg id="load-chart" width="${svgW}" height="${H + top + 30}" role="img" aria-label="load latency percentiles per run in milliseconds"><line x1="40" x2="40" y1="${top}" y2="${top + H}" stroke="#57606a"/><text x="0" y="${top + 4}">${Math.round(max)}</text><text x="24" y="${top + H}">0</text>${bars}${limit}${legend}</svg></section>`;
}
