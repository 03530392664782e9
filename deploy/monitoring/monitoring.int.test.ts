import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, startService, type RunningService } from '../../agent/src/index.js';
import { DASHBOARDS, buildDashboard, renderDashboards } from './dashboards/build-dashboards.js';
import { PROMETHEUS_RULE_FILE, RULES_FILE, renderPrometheusRule } from './render-prometheus-rule.js';

const HERE = import.meta.dirname;
const ROOT = join(HERE, '../..');
const TESTS_DIR = join(HERE, 'tests');
const RUNBOOK_BASE = 'https://github.com/luminamind/luminamind/blob/main/docs/runbooks/';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => Boolean(r.alert));

function have(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}
const HAVE_PROMTOOL = have('promtool');
const HAVE_AMTOOL = have('amtool');
for (const [ok, bin, pkg] of [
  [HAVE_PROMTOOL, 'promtool', 'prometheus'],
  [HAVE_AMTOOL, 'amtool', 'prometheus-alertmanager'],
] as const) {
  if (!ok) console.warn(`\n!!! ${bin} is not installed: its checks are SKIPPED (apt-get install ${pkg}; .ci/run does this) !!!\n`);
}

function run(cmd: string, args: string[], cwd = HERE): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// Every alert of the original's monitoring guide, architecture and security runbook, by group; a rule added or dropped must show up here on purpose.
const REQUIRED_ALERTS = [
  'HighErrorRate', 'HighLatency', 'LowAccuracy', 'PodDown', 'RedisDown', 'HighMemoryUsage', 'ToolFailureSpike',
  'HighLLMCosts', 'LowCacheHitRate',
  'SlowResponse', 'PodCrashLooping', 'HighTokenUsage',
  'AuthFailureSpike', 'PathTraversalAttempts', 'RateLimitViolations', 'ShellInjectionBlocked', 'TLSVerificationFailures',
];

describe('alert rules', () => {
  it('define every required alert (plus CheckpointErrors), each with severity, team and service', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([...REQUIRED_ALERTS, 'CheckpointErrors'].sort());
    for (const a of alerts) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.severity);
      expect(a.labels?.team, a.alert).toBeTruthy();
      expect(a.labels?.service, a.alert).toBe('luminamind');
      expect(a.annotations?.summary, a.alert).toBeTruthy();
    }
  });

  it.skipIf(!HAVE_PROMTOOL)('pass promtool check rules', () => {
    const r = run('promtool', ['check', 'rules', RULES_FILE]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status, r.out).toBe(0);
  });

  it.skipIf(!HAVE_PROMTOOL)('pass their promtool unit tests', () => {
    const files = readdirSync(TESTS_DIR).filter((f) => f.endsWith('.test.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const r = run('promtool', ['test', 'rules', ...files], TESTS_DIR);
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toContain('FAILED');
  });

  it('have a unit test that makes each alert fire and one that shows it silent', () => {
    type Case = { input_series: { series: string }[]; alert_rule_test?: { alertname: string; exp_alerts?: { exp_labels: Record<string, string> }[] }[] };
    const cases = readdirSync(TESTS_DIR)
      .filter((f) => f.endsWith('.test.yaml'))
      .flatMap((f) => (parse(readFileSync(join(TESTS_DIR, f), 'utf8')) as { tests: Case[] }).tests);
    for (const name of alerts.map((a) => a.alert)) {
      const checks = cases.flatMap((c) => (c.alert_rule_test ?? []).filter((t) => t.alertname === name).map((t) => ({ c, t })));
      expect(checks.some(({ t }) => (t.exp_alerts ?? []).length > 0), `${name} never fires in a test`).toBe(true);
      // Silent: an evaluation expecting nothing, or input series (e.g. another namespace) that got no alert.
      const silent = checks.some(({ c, t }) => {
        const expected = t.exp_alerts ?? [];
        if (expected.length === 0) return true;
        const keys = ['namespace', 'pod', 'instance', 'category'];
        const seriesIds = new Set(c.input_series.map((s) => keys.map((k) => s.series.match(new RegExp(`${k}="([^"]*)"`))?.[1] ?? '').join('|')));
        const alertIds = new Set(expected.map((e) => keys.map((k) => e.exp_labels[k] ?? '').join('|')));
        return [...seriesIds].some((id) => !alertIds.has(id) && id.replace(/\|/g, '') !== '');
      });
      expect(silent, `${name} is never shown to stay silent`).toBe(true);
    }
  });

  it('link each alert to its runbook, and every runbook covers meaning, confirm, mitigate and roll back', () => {
    for (const a of alerts) {
      const slug = a.alert.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase();
      expect(a.annotations?.runbook_url, a.alert).toBe(`${RUNBOOK_BASE}${slug}.md`);
      const file = join(ROOT, 'docs/runbooks', `${slug}.md`);
      expect(existsSync(file), file).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0]).toBe(`# ${a.alert}`);
      for (const h of ['## What it means', '## Confirm', '## Mitigate', '## Roll back']) expect(text, `${slug}: ${h}`).toContain(h);
      expect(readFileSync(join(ROOT, 'docs/runbooks/README.md'), 'utf8')).toContain(`(${slug}.md)`);
    }
    expect(existsSync(join(ROOT, 'docs/runbooks/severity-matrix.md'))).toBe(true);
  });

  it('are what the PrometheusRule in deploy/k8s carries (regenerate with render-prometheus-rule.ts)', () => {
    expect(readFileSync(PROMETHEUS_RULE_FILE, 'utf8')).toBe(renderPrometheusRule());
  });
});

describe('Alertmanager config', () => {
  const config = join(HERE, 'alertmanager.yml');

  it.skipIf(!HAVE_AMTOOL)('passes amtool check-config (with its template)', () => {
    const r = run('amtool', ['check-config', config]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('1 templates');
  });

  it.skipIf(!HAVE_AMTOOL).each([
    ['critical', 'oncall-pagerduty'],
    ['warning', 'slack-alerts'],
    ['info', 'slack-metrics'],
  ])('routes severity=%s to %s', (severity, receiver) => {
    const r = run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, `severity=${severity}`, 'alertname=Any']);
    expect(r.out.trim().split('\n').filter((l) => !l.startsWith('Warning')).join('')).toBe(receiver);
  });

  it('groups by alertname/cluster/service with 10s/10s/12h timing, resolves after 5m and pages with PagerDuty', () => {
    const c = parse(readFileSync(config, 'utf8'));
    expect(c.global.resolve_timeout).toBe('5m');
    expect(c.route).toMatchObject({ group_by: ['alertname', 'cluster', 'service'], group_wait: '10s', group_interval: '10s', repeat_interval: '12h' });
    const receivers = Object.fromEntries(c.receivers.map((r: { name: string }) => [r.name, r]));
    expect(receivers['oncall-pagerduty'].pagerduty_configs).toHaveLength(1);
    expect(receivers['oncall-pagerduty'].slack_configs[0].channel).toBe('#luminamind-oncall');
    expect(receivers['slack-alerts'].slack_configs[0].channel).toBe('#luminamind-alerts');
    expect(receivers['slack-metrics'].slack_configs[0].channel).toBe('#luminamind-metrics');
    expect(JSON.stringify(c)).not.toMatch(/hooks\.slack\.com|routing_key"/);
  });
});

describe('Grafana dashboards', () => {
  it('are the five of MONITORING_GUIDE and match their generator (npx tsx deploy/monitoring/dashboards/build-dashboards.ts)', () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual(['luminamind-health', 'luminamind-tools', 'luminamind-llm', 'luminamind-business', 'luminamind-infra']);
    for (const [file, text] of Object.entries(renderDashboards())) expect(readFileSync(join(HERE, 'dashboards', file), 'utf8'), file).toBe(text);
  });

  it('have unique panel ids, a Prometheus datasource variable and a query on every graph panel', () => {
    for (const spec of DASHBOARDS) {
      const d = buildDashboard(spec);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(d.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace']);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        if (p.type !== 'alertlist') expect((p as { targets: unknown[] }).targets.length, p.title).toBeGreaterThan(0);
      }
    }
  });
});

// Metrics of other exporters that alerts and dashboards may use: Prometheus itself, kube-state-metrics, cAdvisor, redis_exporter.
const EXTERNAL_METRICS = new Set([
  'up',
  'kube_pod_container_resource_limits',
  'kube_pod_container_status_restarts_total',
  'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_horizontalpodautoscaler_status_desired_replicas',
  'container_memory_working_set_bytes',
  'container_cpu_usage_seconds_total',
  'container_network_receive_bytes_total',
  'container_network_transmit_bytes_total',
  'container_fs_usage_bytes',
  'redis_up',
  'redis_connected_clients',
  'redis_connected_slaves',
  'redis_memory_used_bytes',
  'redis_memory_max_bytes',
  'redis_commands_processed_total',
]);

const PROMQL_WORDS = new Set([
  'sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan',
]);

/** Metric names in a PromQL expression, roughly: strings, matchers, ranges and grouping lists removed, functions skipped. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\w+/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1] as string);
  return [...new Set(names.filter((n) => !PROMQL_WORDS.has(n)))];
}

describe('metric names used by alerts and dashboards', () => {
  // A live scrape of the running service on its METRICS_PORT listener, exactly as Prometheus sees it.
  let service: RunningService | undefined;
  let workspace: string | undefined;
  // Started by the test that needs it, not while the file is collected: the service's plugins must start within
  // fastify's 10 s, and the synchronous promtool runs of the tests before would have held the event loop meanwhile.
  const scrapeNames = async () => {
    workspace = mkdtempSync(join(tmpdir(), 'lm-scrape-'));
    const config = loadConfig({
      HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', AUTH: 'none', LOG_LEVEL: 'silent', WORKSPACE_ROOT: workspace,
      // Never called: a scrape needs no model, but the service needs one configured to start.
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'unused',
    });
    service = await startService(config);
    const res = await fetch(`${service.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    return new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => m[1] as string));
  };
  afterAll(async () => {
    await service?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });
  const base = (n: string) => n.replace(/_(bucket|sum|count)$/, '');

  it('parses PromQL identifiers as intended', () => {
    expect(metricNames('histogram_quantile(0.95, sum by (namespace, le) (rate(a_bucket{endpoint!~"/h|x"}[5m]))) > 5')).toEqual(['a_bucket']);
    expect(metricNames('up{job="x"} == 0 or absent(up{job="x"})')).toEqual(['up']);
    expect(metricNames('sum(rate(b[7d] offset 1h)) and on (namespace) count_over_time(c[1h] offset 7d)')).toEqual(['b', 'c']);
  });

  it('are all exported by the service registry, or come from an allowed exporter', async () => {
    const names = await scrapeNames();
    const used = new Map<string, string>();
    for (const a of alerts) for (const n of metricNames(a.expr)) used.set(n, `alert ${a.alert}`);
    for (const spec of DASHBOARDS)
      for (const p of buildDashboard(spec).panels)
        for (const t of (p as { targets?: { expr: string }[] }).targets ?? []) for (const n of metricNames(t.expr)) used.set(n, `dashboard ${spec.uid}: ${p.title}`);
    const unknown = [...used].filter(([n]) => !EXTERNAL_METRICS.has(n) && !names.has(n) && !names.has(base(n)));
    expect(unknown).toEqual([]);
    // Histogram series must name a histogram the registry really has.
    for (const n of used.keys()) if (/_(bucket|sum|count)$/.test(n) && !EXTERNAL_METRICS.has(n)) expect(names.has(base(n)), n).toBe(true);
    // And every service metric an operator needs is on some dashboard or alert.
    const serviceMetrics = [...names].filter((n) => /^luminamind_|_total$/.test(n) && !/^(process|nodejs)_/.test(n));
    const usedBases = new Set([...used.keys()].map(base));
    expect(serviceMetrics.filter((n) => !usedBases.has(n))).toEqual([]);
  });

  it('include the ServiceMonitor job names the alerts match', () => {
    const sm = readFileSync(join(ROOT, 'deploy/k8s/base/servicemonitor.yaml'), 'utf8');
    expect(sm).toContain('name: luminamind');
    expect(sm).toContain('name: redis');
    expect(execFileSync('grep', ['-c', 'job="luminamind"', RULES_FILE], { encoding: 'utf8' }).trim()).not.toBe('0');
  });
});
