import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report, ReportKind } from '../../evals/report/index.js';
import { decide, type Decision } from '../decide.js';
import { loadPolicy } from '../policy.js';
import { FIXTURE_COMMIT, baselineReports, evidenceOf, passingReports } from '../testing.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderSummaryMarkdown } from './summary-md.js';

const CHROMIUM = '/usr/bin/chromium';
let decision: Decision;
let html: string;

beforeAll(async () => {
  const policy = await loadPolicy('pr');
  const reports = passingReports();
  // A blocked run with something in every section: failed and flipped cases, a late drill, a slow load.
  reports.eval.results.filter((r) => r.variant === 'gold').slice(0, 9).forEach((r) => Object.assign(r, { pass: false }));
  reports.chaos.results[1]!.recoverySeconds = 33;
  reports.load.summary.p95Ms = 5600;
  Object.assign(reports.eval.results[0]!.graders[0]!, { pass: false, reason: '<script>alert(1)</script> & "quotes"' });
  const asReports = reports as unknown as Record<ReportKind, Report>;
  decision = decide(evidenceOf(asReports), evidenceOf(baselineReports() as Record<ReportKind, Report>, 'base'), policy, { commit: FIXTURE_COMMIT, now: '2025-06-02T00:00:00Z' });
  const thresholds = Object.fromEntries(Object.entries(policy.policy.checks).map(([id, c]) => [id, c?.threshold?.value]));
  html = renderHtml(decision, asReports, baselineReports() as Record<ReportKind, Report>, thresholds);
});

describe('report.html', () => {
  it('is self-contained: no external script, style, image or font', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/(src|href)=|url\(|@import/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
  });

  it('puts the verdict first, then every check, eval failures and flips, load percentiles, chaos timelines', () => {
    const order = ['id="verdict"', 'id="checks"', 'id="eval"', 'id="load"', 'id="chaos"', 'id="evidence"'].map((s) => html.indexOf(s));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
    for (const c of decision.checks) expect(html).toContain(`data-check="${c.id}"`);
    expect(html).toContain('Flipped vs baseline');
    expect(html.match(/<svg/g)!.length).toBeGreaterThan(decision.checks.length / 2);
  });

  it.skipIf(!existsSync(CHROMIUM))('renders in headless Chromium with the verdict and check rows visible', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-html-'));
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`];
    const dom = execFileSync(CHROMIUM, [...flags, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
    expect(dom).toMatch(/<h1>BLOCKED<\/h1>/);
    expect(dom.match(/<tr data-check=/g)).toHaveLength(decision.checks.length);
    expect(dom).toContain('redis-kill');
    const shot = join(dir, 'shot.png');
    execFileSync(CHROMIUM, [...flags, `--screenshot=${shot}`, '--window-size=1200,1600', `file://${page}`], { timeout: 60_000, stdio: 'ignore' });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('skips the browser test only when Chromium is absent', () => {
    if (!existsSync(CHROMIUM)) console.warn(`report.html browser test skipped: ${CHROMIUM} not found (apt-get install chromium)`);
    expect(true).toBe(true);
  });
});

describe('summary.md and junit.xml', () => {
  it('summary.md has one table row per check and the verdict in its heading', () => {
    const md = renderSummaryMarkdown(decision);
    expect(md.split('\n')[0]).toMatch(/^## LuminaMind gate \(pr\): ❌ BLOCKED/);
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| check')).length).toBe(decision.checks.length);
  });

  it('junit.xml counts failures and skips as the decision does', () => {
    const xml = renderJunit(decision);
    const fails = decision.checks.filter((c) => c.verdict === 'fail').length;
    expect(fails).toBeGreaterThan(0);
    expect(xml).toContain(`failures="${fails}"`);
    expect(xml.match(/<failure /g)).toHaveLength(fails);
  });
});
