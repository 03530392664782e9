import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Decision } from '../decide.js';
import { renderHtml, type ReportsByKind } from './html.js';
import { loadHistory } from './history.js';
import { findLinks } from './links.js';

export interface ReportPageInput {
  decision: Decision;
  reports: ReportsByKind;
  baselines: ReportsByKind;
  thresholds: Record<string, number | undefined>;
  /** The folder report.html goes to; its links are relative to it. */
  outDir: string;
  /** `--history DIR`: earlier decision.json files for the trend. */
  historyDir?: string | undefined;
}

/**
 * Writes `<outDir>/report.html` with links to the evidence that exists and, given a history folder, the trend.
 *
 * @example
 *   await writeReportPage({ decision, reports, baselines, thresholds, outDir: 'reports/gate', historyDir: 'ci-history' });
 */
export async function writeReportPage(input: ReportPageInput): Promise<string> {
  const [links, history] = await Promise.all([findLinks(input.decision, input.reports, input.outDir), input.historyDir ? loadHistory(input.historyDir) : undefined]);
  const path = join(input.outDir, 'report.html');
  await writeFile(path, renderHtml(input.decision, input.reports, input.baselines, input.thresholds, { links, ...(history ? { history } : {}) }));
  return path;
}
