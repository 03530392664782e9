import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compressExpr, compressRules, formatDuration, parseDuration, RULES_FILE } from './drill-rules.js';
import { judgeAlert, metricNames, splitThreshold, type AlertState } from './judge-alert.js';
import { prometheusConfig, startDrillPrometheus, targetGroups } from './prometheus-process.js';

const HAVE_PROMETHEUS = spawnSync('prometheus', ['--version']).status === 0;
const HAVE_PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
if (!HAVE_PROMETHEUS) console.warn('\n*** prometheus.test.ts: NO `prometheus` BINARY ON PATH: the live alert test is SKIPPED (apt-get install prometheus) ***\n');

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
}
const production = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; interval?: string; rules: Rule[] }[] };
const drillCopy = compressRules(readFileSync(RULES_FILE, 'utf8'));
const drillRules = parse(drillCopy.yaml) as typeof production;
const byName = (file: typeof production) => new Map(file.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));

describe('durations', () => {
  it('parses and formats Prometheus durations', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(() => parseDuration('5 m')).toThrow();
    expect(formatDuration(5_000)).toBe('5s');
    expect(formatDuration(500)).toBe('500ms');
  });
});

describe('compressExpr', () => {
  it('scales windows, subqueries and offsets by 60, floors windows at 4 s, and leaves quoted strings alone', () => {
    expect(compressExpr('rate(x{a=~"[5m]"}[5m])').expr).toBe('rate(x{a=~"[5m]"}[5s])');
    expect(compressExpr('rate(x[10m])').expr).toBe('rate(x[10s])');
    expect(compressExpr('rate(x[1m])').expr).toBe('rate(x[4s])');
    expect(compressExpr('rate(x[7d] offset 1h)').expr).toBe('rate(x[10080s] offset 60s)');
    expect(compressExpr('max_over_time(rate(x[5m])[1h:1m])').expr).toBe('max_over_time(rate(x[5s])[60s:1s])');
  });
});

describe('the drill copy of deploy/monitoring rules', () => {
  const prod = byName(production);
  const drill = byName(drillRules);

  it('keeps every alert, label and annotation; only for, windows, offsets and group intervals change', () => {
    expect([...drill.keys()]).toEqual([...prod.keys()]);
    for (const [name, rule] of prod) {
      const copy = drill.get(name)!;
      expect({ ...copy, expr: undefined, for: undefined }).toEqual({ ...rule, expr: undefined, for: undefined });
      // Same PromQL once every duration is blanked: the alert logic is the production logic.
      const blank = (e: string) => e.replace(/\d+(ms|s|m|h|d|w|y)\b/g, 'D');
      expect(blank(copy.expr)).toBe(blank(rule.expr));
    }
    expect(drillRules.groups.map((g) => g.interval)).toEqual(production.groups.map(() => '1s'));
  });

  it('maps for: duration / 60 capped at 5 s, and windows / 60', () => {
    expect(drill.get('HighErrorRate')!.for).toBe('5s');
    expect(drill.get('PodDown')!.for).toBe('1s');
    expect(drill.get('LowAccuracy')!.for).toBe('5s');
    expect(drill.get('PodCrashLooping')!.for).toBeUndefined();
    expect(drill.get('HighErrorRate')!.expr).toContain('[5s]');
    expect(drill.get('HighErrorRate')!.expr).not.toMatch(/\[\d+m\]/);
    expect(drill.get('LowCacheHitRate')!.expr).toContain('[10s]');
    expect(drillCopy.changes.HighErrorRate).toMatchObject({ for: ['5m', '5s'], windows: [['5m', '5s'], ['5m', '5s']] });
    expect(drillCopy.changes.PodDown).toMatchObject({ for: ['1m', '1s'], windows: [] });
    for (const rule of drill.values()) for (const [, d] of rule.expr.matchAll(/\[(\d+)s\]/g)) expect(Number(d)).toBeGreaterThanOrEqual(4);
  });

  it.skipIf(!HAVE_PROMTOOL)('passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lm-prom-test-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), drillCopy.yaml);
      const r = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yaml')], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('evidence helpers', () => {
  const rules = byName(drillRules);
  it('finds the metrics a rule reads and splits off its threshold', () => {
    expect(metricNames(rules.get('HighErrorRate')!.expr)).toEqual(['luminamind_requests_total']);
    expect(metricNames(rules.get('PodDown')!.expr)).toEqual(['up']);
    expect(metricNames(rules.get('HighLatency')!.expr)).toEqual(['luminamind_request_duration_seconds_bucket']);
    expect(splitThreshold(rules.get('HighLatency')!.expr)).toMatchObject({ threshold: '> 5' });
    expect(splitThreshold(rules.get('HighErrorRate')!.expr)?.lhs.trim()).toMatch(/\* 100$/);
    expect(splitThreshold(rules.get('PodDown')!.expr)).toBeUndefined();
  });
});

describe('prometheusConfig', () => {
  it('scrapes the targets file every second as job luminamind, with nothing remote', () => {
    const config = parse(prometheusConfig({ targetsFile: '/tmp/x/targets.json', rulesFile: '/tmp/x/rules.yaml' })) as Record<string, unknown>;
    expect(config).toEqual({
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '800ms' },
      rule_files: ['/tmp/x/rules.yaml'],
      scrape_configs: [{ job_name: 'luminamind', metrics_path: '/metrics', file_sd_configs: [{ files: ['/tmp/x/targets.json'], refresh_interval: '1s' }] }],
    });
  });
  it('lists the drill targets by host in namespace drill', () => {
    expect(JSON.parse(targetGroups(['http://127.0.0.1:4001', 'http://127.0.0.1:4002']))).toEqual([{ targets: ['127.0.0.1:4001', '127.0.0.1:4002'], labels: { namespace: 'drill' } }]);
  });
});
describe('judgeAlert', () => {
  const fires = { name: 'PodDown', expect: 'fires' as const };
  const silent = { name: 'HighErrorRate', expect: 'silent' as const };
  const w = { injectedAt: 10, healedAt: 14 };
  const tr = (...xs: [number, AlertState][]) => xs.map(([t, state]) => ({ t, state }));

  it('passes an alert that fired during the fault and resolved after', () => {
    expect(judgeAlert(fires, tr([0.5, 'pending'], [2, 'inactive'], [11, 'pending'], [12.5, 'firing'], [16, 'inactive']), w)).toEqual({ status: 'fired-and-resolved', pendingAt: 11, firedAt: 12.5, resolvedAt: 16 });
  });
  it('is a violation when the expected alert never fired, fired too late, never resolved, or was firing already', () => {
    expect(judgeAlert(fires, tr([11, 'pending'], [12, 'inactive']), w)).toMatchObject({ status: 'violated', reason: expect.stringMatching(/never fired/) });
    expect(judgeAlert(fires, tr([19, 'firing'], [22, 'inactive']), w)).toMatchObject({ status: 'violated', reason: expect.stringMatching(/after the fault ended/) });
    expect(judgeAlert(fires, tr([12, 'firing']), w)).toMatchObject({ status: 'violated', reason: expect.stringMatching(/never resolved/) });
    expect(judgeAlert(fires, tr([5, 'firing'], [16, 'inactive']), w)).toMatchObject({ status: 'violated', reason: expect.stringMatching(/already firing/) });
  });
  it('passes a silent alert that never fired (pending is noted) and fails one that fired', () => {
    expect(judgeAlert(silent, [], w)).toEqual({ status: 'stayed-silent' });
    expect(judgeAlert(silent, tr([12, 'pending'], [14, 'inactive']), w)).toMatchObject({ status: 'stayed-silent', pendingAt: 12 });
    expect(judgeAlert(silent, tr([12, 'pending'], [17, 'firing'], [25, 'inactive']), w)).toMatchObject({ status: 'violated', firedAt: 17 });
  });
});

describe.skipIf(!HAVE_PROMETHEUS)('a real Prometheus with the drill rules', () => {
  it('HighErrorRate goes pending → firing while 5xx are served, and resolves when they stop', async () => {
    let ok = 0;
    let errors = 0;
    let failing = false;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
        [
          '# TYPE luminamind_requests_total counter',
          `luminamind_requests_total{method="POST",endpoint="/v1/chat",status="200"} ${ok}`,
          `luminamind_requests_total{method="POST",endpoint="/v1/chat",status="500"} ${errors}`,
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const traffic = setInterval(() => {
      ok += 10;
      if (failing) errors += 5;
    }, 100);
    const prom = await startDrillPrometheus({ targets: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`] });
    const started = Date.now();
    const seen: { s: number; state: AlertState }[] = [];
    const until = async (want: AlertState, timeoutS: number) => {
      const deadline = Date.now() + timeoutS * 1000;
      for (;;) {
        const state = await prom.alertState('HighErrorRate');
        if (seen.at(-1)?.state !== state) seen.push({ s: (Date.now() - started) / 1000, state });
        if (state === want) return;
        if (Date.now() > deadline) throw new Error(`HighErrorRate not ${want} within ${timeoutS} s: ${JSON.stringify(seen)}`);
        await sleep(200);
      }
    };
    try {
      for (let i = 0; i < 40 && !(await prom.targets()).every((t) => t.health === 'up'); i++) await sleep(250);
      await sleep(2_000);
      expect(await prom.alertState('HighErrorRate')).toBe('inactive');
      failing = true;
      await until('pending', 10);
      await until('firing', 10);
      failing = false;
      await until('inactive', 15);
      expect(seen.map((x) => x.state)).toEqual(['inactive', 'pending', 'firing', 'inactive']);
    } finally {
      clearInterval(traffic);
      await prom.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  }, 45_000);
});
