import { access } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { ChaosReport, LoadReport } from '../../evals/report/index.js';
import type { Decision } from '../decide.js';
import type { PageLinks } from './html-evidence.js';
import type { ReportsByKind } from './html.js';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Finds the files report.html links to, each as a path relative to the page's folder `outDir`: the evidence and
 * baselines, the policy, promptfoo's report beside the eval report, the coverage detail, the load baseline and each
 * chaos drill's journal. Only files that exist get a link, so the page never points at nothing.
 *
 * @example
 *   const links = await findLinks(decision, reports, 'reports/gate'); // { files: { 'reports/eval/report.json': '../eval/report.json' }, … }
 */
export async function findLinks(decision: Decision, reports: ReportsByKind, outDir: string): Promise<PageLinks> {
  const rel = async (path: string | undefined) => (path && (await exists(path)) ? relative(outDir, path) : undefined);
  const files: Record<string, string> = {};
  for (const path of [...decision.evidence, ...decision.baselines].map((e) => e.path).concat(decision.policy.file)) {
    const href = await rel(path);
    if (href) files[path] = href;
  }
  const pathOf = (kind: string) => decision.evidence.find((e) => e.kind === kind && e.status !== 'missing')?.path;
  const evalPath = pathOf('eval');
  const coveragePath = pathOf('coverage');
  const chaos = reports.chaos as ChaosReport | undefined;
  const journalDir = typeof chaos?.config.journalDir === 'string' ? chaos.config.journalDir : pathOf('chaos') ? join(dirname(pathOf('chaos')!), 'journal') : undefined;
  const journals: Record<string, string> = {};
  for (const d of chaos?.results ?? []) {
    const href = journalDir ? await rel(join(journalDir, `${d.drill}.json`)) : undefined;
    if (href) journals[d.drill] = href;
  }
  const coverageHtml = coveragePath ? ((await rel(join(dirname(coveragePath), 'raw', 'index.html'))) ?? (await rel(join(dirname(coveragePath), 'raw', 'lcov-report', 'index.html')))) : undefined;
  const optional = {
    promptfoo: evalPath ? await rel(join(dirname(evalPath), 'promptfoo', 'results.html')) : undefined,
    coverageHtml,
    coverageRaw: coveragePath ? await rel(join(dirname(coveragePath), 'raw', 'coverage-summary.json')) : undefined,
    loadBaseline: await rel((reports.load as LoadReport | undefined)?.summary.comparison?.baseline),
  };
  return { files, journals, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) };
}
