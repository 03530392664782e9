import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../decide.js';
import { layoutLabels } from './html-chaos.js';
import { baselineCell, scoreParts } from './html-checks.js';
import { renderHtml } from './html.js';
import { loadHistory } from './history.js';
import { renderJunit } from './junit.js';
import { findLinks } from './links.js';
import { HOSTILE_CASE, pageFixture, writeHistory, type PageFixture } from './page-fixture.test-support.js';
import { renderSummaryMarkdown } from './summary-md.js';

let fx: PageFixture;
let decision: Decision;
let html: string;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gate-html-'));
  fx = await pageFixture(root);
  decision = fx.decision;
  html = renderHtml(decision, fx.reports, fx.baselines, fx.thresholds);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const rowOf = (page: string, check: string) => page.slice(page.indexOf(`data-check="${check}"`), page.indexOf('</tr>', page.indexOf(`data-check="${check}"`)));

describe('report.html', () => {
  it('is self-contained: no script, stylesheet, image, frame or font; links are in-page anchors or relative paths', async () => {
    const links = await findLinks(decision, fx.reports, join(root, 'reports/gate'));
    const page = renderHtml(decision, fx.reports, fx.baselines, fx.thresholds, { links });
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(page).not.toMatch(/\bsrc=|url\(|@import/i);
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(10);
    for (const h of hrefs) expect(h, h).toMatch(/^(#[\w-]+|(\.\.\/)*[\w.%-]+(\/[\w.%-]+)*)$/);
  });

  it('escapes untrusted case text and grader reasons', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;-case');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(html).not.toContain(HOSTILE_CASE);
  });

  it('puts the verdict first, then checks, stage timings, coverage, security, eval, load, chaos and evidence', () => {
    const order = ['id="verdict"', 'id="checks"', 'id="stages"', 'id="coverage"', 'id="security"', 'id="eval"', 'id="load"', 'id="chaos"', 'id="evidence"'].map((s) => html.indexOf(s));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
    for (const c of decision.checks) expect(html).toContain(`data-check="${c.id}"`);
    expect(html).not.toContain('id="trend"');
  });

  it('draws a value bar for measured values and none for counts', () => {
    for (const id of ['tests-pass', 'security-findings', 'eval-baseline', 'chaos-drills']) expect(rowOf(html, id)).not.toContain('<svg');
    for (const id of ['coverage-lines', 'eval-pass-rate', 'load-p95']) expect(rowOf(html, id)).toContain('<svg class="bar"');
  });

  it('shows each weight and a score formula that adds up to the decision score', () => {
    const { earned, total, score } = scoreParts(decision);
    expect(score).toBeCloseTo(decision.score, 3);
    expect(html).toContain(`= ${earned.toFixed(2)} ÷ ${total} = <strong>${decision.score}</strong>`);
    for (const c of decision.checks) expect(rowOf(html, c.id)).toContain(`<td class="num weight">${c.weight}</td>`);
  });

  it('fills the baseline column wherever a baseline was compared', () => {
    const byId = Object.fromEntries(decision.checks.map((c) => [c.id, c]));
    expect(baselineCell(byId['coverage-lines']!)).toMatch(/^87\.00%/);
    const mcnemar = byId['eval-baseline']!.details as { paired: number; regressed: string[] };
    expect(mcnemar.regressed.length).toBeGreaterThan(0);
    expect(baselineCell(byId['eval-baseline']!)).toMatch(new RegExp(`^${mcnemar.paired} pairs compared: ${mcnemar.regressed.length} regressed`));
    expect(baselineCell(byId['load-baseline']!)).toContain('load/baselines/chat-smoke.json');
    // Nothing compared: a dash, never an invented value.
    expect(baselineCell(byId['tests-pass']!)).toContain('—');
  });

  it('has per-category and per-grader tables with n and a confidence interval, and lists the runs that went wrong', () => {
    expect(html.match(/<tr data-category=/g)).toHaveLength(5);
    expect(html).toMatch(/<tr data-grader="grounding"><td><code>grounding<\/code><\/td><td class="num">130<\/td>/);
    expect(html).toContain('95% CI (Wilson)');
    expect(html.match(/<tr data-case=/g)).toHaveLength(9);
    expect(html).toContain('Flipped vs baseline');
  });

  it('labels load runs by profile and run, and names a baseline in the legend only when one is drawn', () => {
    expect(html).toContain('data-group="smoke run 1/3"');
    expect(html).not.toContain('mix #0');
    expect(html).toContain('<text x="14" y="9">baseline (median)</text>');
    const without = structuredClone(fx.reports);
    (without.load as { config: Record<string, unknown> }).config = {};
    const page = renderHtml(decision, without, fx.baselines, fx.thresholds);
    expect(page.slice(page.indexOf('id="load"'), page.indexOf('id="chaos"'))).not.toMatch(/baseline \(|baseline report/);
  });

  it('shows stage durations, a dash where a stage carries none, and reused evidence', () => {
    expect(html).toMatch(/data-stage="coverage">.*<td class="num duration">6m52s<\/td>/);
    expect(html).toMatch(/data-stage="security">.*<td class="num duration">—<\/td>/);
    expect(html).toMatch(/data-stage="load"><td>load<\/td><td>reused from abcdefabcdef/);
  });

  it('lists every security finding, medium and low included, in a collapsible table', () => {
    const table = html.slice(html.indexOf('<details id="security-findings">'), html.indexOf('</details>', html.indexOf('<details id="security-findings">')));
    expect(table.match(/<tr data-severity=/g)).toHaveLength(3);
    expect(table).toContain('data-severity="medium"');
    expect(table).toContain('data-severity="low"');
  });

  it('links evidence, promptfoo, coverage detail, the load baseline and chaos journals relative to the page, and only files that exist', async () => {
    const links = await findLinks(decision, fx.reports, join(root, 'reports/gate'));
    expect(links.files[join(root, 'reports/eval/report.json')]).toBe('../eval/report.json');
    expect(links.files[join(root, 'baselines/eval/report.json')]).toBe('../../baselines/eval/report.json');
    expect(links.promptfoo).toBe('../eval/promptfoo/results.html');
    expect(links.coverageRaw).toBe('../coverage/raw/coverage-summary.json');
    expect(links.coverageHtml).toBeUndefined();
    expect(links.journals).toEqual({ 'redis-kill': '../chaos/journal/redis-kill.json' });
    const page = renderHtml(decision, fx.reports, fx.baselines, fx.thresholds, { links });
    expect(page).toContain('<a href="../eval/report.json">');
    expect(page).toContain('<a href="../eval/promptfoo/results.html">promptfoo report</a>');
    expect(page).toMatch(/journal: <span class="muted">not found<\/span>/);
  });

  it('shows a trend of verdict and score per commit from earlier decisions, and names files that are not decisions', async () => {
    const dir = join(root, 'history');
    writeHistory(dir, decision, 3);
    const history = await loadHistory(dir);
    expect(history.entries.map((e) => e.score)).toEqual([0.9, 0.85, 0.8]);
    expect(history.problems).toEqual([expect.stringContaining('notes.json: not a gate decision')]);
    const page = renderHtml(decision, fx.reports, fx.baselines, fx.thresholds, { history });
    const trend = page.slice(page.indexOf('id="trend"'), page.indexOf('</section>', page.indexOf('id="trend"')));
    expect(trend.match(/<circle /g)).toHaveLength(4);
    expect(trend.match(/<tr data-trend=/g)).toHaveLength(4);
    expect(trend).toContain('class="current"');
    await expect(loadHistory(join(root, 'no-such-dir'))).rejects.toThrow(/ENOENT/);
  });
});

describe('chaos timeline labels', () => {
  const overlaps = (ls: ReturnType<typeof layoutLabels>) =>
    ls.some((a, i) => ls.some((b, j) => i < j && a.lane === b.lane && a.x < b.x + b.width && b.x < a.x + a.width));

  it('puts labels of close events in separate lanes and keeps them inside the chart', () => {
    const items = [0, 0.5, 1, 1.2, 30, 31, 700].map((x, i) => ({ x: 20 + x, text: `event number ${i} with a long name` }));
    const placed = layoutLabels(items, 800);
    expect(overlaps(placed)).toBe(false);
    expect(new Set(placed.map((p) => p.lane)).size).toBeGreaterThan(3);
    for (const p of placed) expect(p.x + p.width).toBeLessThanOrEqual(800);
  });

  it('can fail: the same labels in one lane overlap (what the lanes prevent)', () => {
    const items = [0, 0.5, 1].map((x, i) => ({ x: 20 + x, text: `event number ${i}` }));
    expect(overlaps(layoutLabels(items, 800).map((p) => ({ ...p, lane: 0 })))).toBe(true);
  });
});

describe('summary.md and junit.xml', () => {
  it('summary.md has one table row per check and the verdict in its heading', () => {
    const md = renderSummaryMarkdown(decision);
    expect(md.split('\n')[0]).toMatch(/^## LuminaMind gate \(pr\): ❌ BLOCKED/);
    const checkRows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| check') && !l.startsWith('| stage') && !decision.stages.some((s) => l.startsWith(`| ${s.kind} |`)));
    expect(checkRows.length).toBe(decision.checks.length);
  });

  it('junit.xml counts failures and skips as the decision does', () => {
    const xml = renderJunit(decision);
    const fails = decision.checks.filter((c) => c.verdict === 'fail').length;
    expect(fails).toBeGreaterThan(0);
    expect(xml).toContain(`failures="${fails}"`);
    expect(xml.match(/<failure /g)).toHaveLength(fails);
  });
});
