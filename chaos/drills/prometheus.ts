import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { freeLoopbackPort } from '../../load/service-process.js';

/** The production rules every drill copy is generated from, so the alert logic under test is the shipped one. */
export const RULES_FILE = fileURLToPath(new URL('../../deploy/monitoring/rules/luminamind-alerts.yaml', import.meta.url));

/** Drill time runs 60× faster than production: a production minute is a drill second (5m window → 5s). */
export const TIME_SCALE = 60;
/** Range windows never go below 4 scrapes, so rate()/increase() still see two samples when one scrape is missed. */
export const MIN_WINDOW_MS = 4_000;
/** `for:` is scaled like windows but capped, so a 5-second fault can still reach firing (15m → 5s, not 15s). */
export const MAX_FOR_MS = 5_000;
export const SCRAPE_INTERVAL = '1s';
/** A fault's alert may show up this long after the fault ended: one scrape + one evaluation + one API poll, rounded up. */
export const DETECTION_LAG_S = 3;
/** How long after the after phase a fired alert may take to resolve before it counts as stuck. */
export const RESOLVE_TIMEOUT_S = 20;

/** What a drill expects of its alert (chaos/experiments labels `luminamind.dev/expected-alert` + `alert-expectation`). */
export interface AlertExpectation {
  /** Alert name in deploy/monitoring/rules/luminamind-alerts.yaml. */
  name: string;
  expect: 'fires' | 'silent';
  /** Set when the alert's metrics come from something one machine does not run (exporter, kubelet): the journal says "not checked". */
  notCheckableLocally?: string;
  /** Set when the local drill's expectation differs from its Chaos Mesh experiment's, with the reason. */
  differsFromCluster?: string;
}

export interface AlertJournal {
  alert: string;
  expectation: 'fires' | 'silent';
  status: 'fired-and-resolved' | 'stayed-silent' | 'violated' | 'not-checked';
  /** Why it was not checked, or what was violated. */
  reason?: string;
  differsFromCluster?: string;
  /** The drill copy of the rule: production and drill `for`, the windows as rewritten, the drill expression. */
  rule?: { for: [string, string] | null; windows: [string, string][]; expr: string };
  /** Evidence the rule could see the service: series per metric it reads, and the peak of its left-hand side from the fault on (null: no data). */
  evidence?: { series: Record<string, number>; peak: number | null; threshold?: string };
  /** Seconds since the drill started (the journal's clock). */
  pendingAt?: number;
  firedAt?: number;
  resolvedAt?: number;
  /** Every state change seen on /api/v1/alerts. */
  transitions: { t: number; state: AlertState }[];
}

export type AlertState = 'inactive' | 'pending' | 'firing';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;
export function parseDuration(text: string): number {
  let ms = 0;
  let seen = '';
  for (const [whole, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
    seen += whole;
  }
  // Every character must belong to a number+unit part, or it is not a duration.
  if (!seen || seen !== text) throw new Error(`not a Prometheus duration: ${text}`);
  return ms;
}

export function formatDuration(ms: number): string {
  const whole = Math.round(ms);
  return whole % 1_000 === 0 ? `${whole / 1_000}s` : `${whole}ms`;
}

const scaleWindow = (d: string) => formatDuration(Math.max(MIN_WINDOW_MS, parseDuration(d) / TIME_SCALE));
const scaleOffset = (d: string) => formatDuration(parseDuration(d) / TIME_SCALE);
const scaleFor = (d: string) => formatDuration(Math.min(MAX_FOR_MS, parseDuration(d) / TIME_SCALE));

/**
 * Rewrites every range window (`[5m]`, subquery `[1h:1m]`) and `offset` of a PromQL expression to drill time;
 * quoted strings (label values, regexes) are left alone. Returns the rewritten expression and each window's change.
 */
export function compressExpr(expr: string): { expr: string; windows: [string, string][] } {
  const windows: [string, string][] = [];
  const outside = (code: string) =>
    code
      // eslint-disable-next-line security/detect-unsafe-regex -- bounded by ']' and run on our own rules file, no backtracking blow-up
      .replace(/\[([0-9a-z]+)(:[0-9a-z]*)?\]/g, (_m, range: string, step: string | undefined) => {
        const to = scaleWindow(range);
        windows.push([range, to]);
        if (step === undefined) return `[${to}]`;
        return `[${to}:${step.length > 1 ? formatDuration(Math.max(1_000, parseDuration(step.slice(1)) / TIME_SCALE)) : ''}]`;
      })
      .replace(/\boffset(\s+)(-?)([0-9a-z]+)/g, (_m, space: string, sign: string, d: string) => `offset${space}${sign}${scaleOffset(d)}`);
  const parts = expr.split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/);
  return { expr: parts.map((part, i) => (i % 2 ? part : outside(part))).join(''), windows };
}

const RuleSchema = z.looseObject({ alert: z.string().optional(), record: z.string().optional(), expr: z.string(), for: z.string().optional() });
const RulesFileSchema = z.object({ groups: z.array(z.looseObject({ name: z.string(), interval: z.string().optional(), rules: z.array(RuleSchema) })) });

export interface CompressedRules {
  yaml: string;
  /** Per alert: production and drill `for` (null: none), and each window's rewrite. */
  changes: Record<string, { for: [string, string] | null; windows: [string, string][]; expr: string }>;
}

/** The drill copy of a rules file: group intervals = the drill's evaluation interval, `for` and windows in drill time. */
export function compressRules(rulesYaml: string): CompressedRules {
  const file = RulesFileSchema.parse(parse(rulesYaml));
  const changes: CompressedRules['changes'] = {};
  const groups = file.groups.map((group) => ({
    ...group,
    interval: SCRAPE_INTERVAL,
    rules: group.rules.map((rule) => {
      const { expr, windows } = compressExpr(rule.expr);
      const forChange: [string, string] | null = rule.for ? [rule.for, scaleFor(rule.for)] : null;
      if (rule.alert) changes[rule.alert] = { for: forChange, windows, expr };
      return { ...rule, expr, ...(forChange ? { for: forChange[1] } : {}) };
    }),
  }));
  return { yaml: stringify({ groups }, { lineWidth: 0 }), changes };
}

/** A private Prometheus config: 1 s scrapes of the drill's service processes as job `luminamind`, namespace `drill`, no alertmanager, no remote anything. */
export function prometheusConfig(options: { targets: readonly string[]; rulesFile: string }): string {
  return stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL, scrape_timeout: '800ms' },
    rule_files: [options.rulesFile],
    scrape_configs: [
      {
        job_name: 'luminamind',
        metrics_path: '/metrics',
        static_configs: [{ targets: options.targets.map((t) => new URL(t).host), labels: { namespace: 'drill' } }],
      },
    ],
  });
}

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // A harness that dies (or is interrupted) must not leave a Prometheus listening.
  const killAll = () => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      killAll();
      process.off(signal, onSignal);
      // Re-raise only when nobody else handles it, so the default (exit) still happens.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

let found: Promise<string | undefined> | undefined;

/** The `prometheus --version` line when the binary is on PATH, else undefined (looked up once). */
export function prometheusVersion(): Promise<string | undefined> {
  found ??= new Promise((done) => {
    execFile('prometheus', ['--version'], { timeout: 5_000 }, (err, stdout, stderr) => done(err ? undefined : `${stdout}${stderr}`.split('\n')[0]?.trim()));
  });
  return found;
}

const AlertsResponse = z.object({
  data: z.object({ alerts: z.array(z.object({ labels: z.record(z.string(), z.string()), state: z.string(), activeAt: z.string().optional() })) }),
});
const QueryResponse = z.object({ data: z.object({ result: z.array(z.object({ value: z.tuple([z.number(), z.string()]) })) }) });
const TargetsResponse = z.object({ data: z.object({ activeTargets: z.array(z.object({ health: z.string(), scrapeUrl: z.string() })) }) });

export interface DrillPrometheus {
  url: string;
  changes: CompressedRules['changes'];
  /** The most severe state of the named alert right now (firing > pending > inactive). */
  alertState(name: string): Promise<AlertState>;
  /** First value of an instant query, null when the result is empty. */
  query(promql: string): Promise<number | null>;
  /** Scrape health per target. */
  targets(): Promise<{ health: string; scrapeUrl: string }[]>;
  close(): Promise<void>;
}

async function getJson<T>(url: string, schema: z.ZodType<T>): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return schema.parse(await res.json());
}

/** Starts `prometheus` on a free 127.0.0.1 port with a temp TSDB, scraping `targets` with the drill copy of the rules. */
export async function startDrillPrometheus(options: { targets: readonly string[]; rulesFile?: string; readyTimeoutMs?: number }): Promise<DrillPrometheus> {
  hookExit();
  const dir = await mkdtemp(join(tmpdir(), 'lm-prom-'));
  const compressed = compressRules(await readFile(options.rulesFile ?? RULES_FILE, 'utf8'));
  await writeFile(join(dir, 'rules.yaml'), compressed.yaml);
  await writeFile(join(dir, 'prometheus.yml'), prometheusConfig({ targets: options.targets, rulesFile: join(dir, 'rules.yaml') }));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(child);
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) {
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(2_000)]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited: ${stderr.slice(-1_500)}`);
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined))?.ok) break;
      if (Date.now() > deadline) throw new Error(`prometheus not ready within ${options.readyTimeoutMs ?? 15_000} ms: ${stderr.slice(-1_500)}`);
      await sleep(100);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    changes: compressed.changes,
    async alertState(name) {
      const { data } = await getJson(`${url}/api/v1/alerts`, AlertsResponse);
      const states = data.alerts.filter((a) => a.labels.alertname === name).map((a) => a.state);
      return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : 'inactive';
    },
    async query(promql) {
      const { data } = await getJson(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, QueryResponse);
      return data.result[0] ? Number(data.result[0].value[1]) : null;
    },
    async targets() {
      return (await getJson(`${url}/api/v1/targets`, TargetsResponse)).data.activeTargets;
    },
    close,
  };
}

/** Metric names an expression selects (a name followed by `{` or `[`), quoted strings excluded. */
export function metricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set([...code.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]!))];
}

/** Splits `lhs > 1` into the measured side and the threshold; undefined when the expression does not end in a comparison. */
export function splitThreshold(expr: string): { lhs: string; threshold: string } | undefined {
  const m = /^([\s\S]*?)\s*(>=|<=|==|!=|>|<)\s*(-?[\d.]+)\s*$/.exec(expr);
  return m ? { lhs: m[1]!, threshold: `${m[2]} ${m[3]}` } : undefined;
}

/** Judges one drill's alert from the state changes seen: fired during the fault and resolved after, or stayed silent. */
export function judgeAlert(
  expectation: AlertExpectation,
  transitions: AlertJournal['transitions'],
  window: { injectedAt: number; healedAt: number },
): Pick<AlertJournal, 'status' | 'reason' | 'pendingAt' | 'firedAt' | 'resolvedAt'> {
  const atInject = [...transitions].reverse().find((x) => x.t <= window.injectedAt)?.state ?? 'inactive';
  const later = transitions.filter((x) => x.t > window.injectedAt);
  const pendingAt = later.find((x) => x.state !== 'inactive')?.t;
  const firedAt = later.find((x) => x.state === 'firing')?.t;
  const last = transitions.at(-1)?.state ?? 'inactive';
  const resolvedAt = firedAt === undefined || last !== 'inactive' ? undefined : transitions.at(-1)!.t;
  const times = { ...(pendingAt === undefined ? {} : { pendingAt }), ...(firedAt === undefined ? {} : { firedAt }), ...(resolvedAt === undefined ? {} : { resolvedAt }) };
  if (atInject === 'firing') return { status: 'violated', reason: `${expectation.name} was already firing before the fault, so it proves nothing`, ...times };
  if (expectation.expect === 'silent') {
    if (firedAt !== undefined) return { status: 'violated', reason: `${expectation.name} was expected to stay silent but fired at ${firedAt} s`, ...times };
    return { status: 'stayed-silent', ...(pendingAt === undefined ? {} : { reason: `pending at ${pendingAt} s but never firing (its for: kept it quiet)` }), ...times };
  }
  if (firedAt === undefined) return { status: 'violated', reason: `${expectation.name} was expected to fire during the fault (${window.injectedAt}–${window.healedAt} s) but never fired`, ...times };
  if (firedAt > window.healedAt + DETECTION_LAG_S) return { status: 'violated', reason: `${expectation.name} fired at ${firedAt} s, more than ${DETECTION_LAG_S} s after the fault ended at ${window.healedAt} s`, ...times };
  if (resolvedAt === undefined) return { status: 'violated', reason: `${expectation.name} fired at ${firedAt} s and never resolved after recovery`, ...times };
  return { status: 'fired-and-resolved', ...times };
}

async function gatherEvidence(prom: DrillPrometheus, expr: string, sinceS: number): Promise<NonNullable<AlertJournal['evidence']>> {
  const series: Record<string, number> = {};
  for (const name of metricNames(expr)) series[name] = (await prom.query(`count({__name__="${name}"})`)) ?? 0;
  const split = splitThreshold(expr);
  const peak = split ? await prom.query(`max(max_over_time((${split.lhs})[${sinceS}s:1s]))`) : null;
  return { series, peak, ...(split ? { threshold: split.threshold } : {}) };
}

export interface AlertWatch {
  /** Waits (bounded) until every target is scraped and the alert is inactive, so a later firing belongs to the fault. */
  baseline(timeoutMs?: number): Promise<void>;
  /** Keeps watching until the alert settles (bounded), stops Prometheus and judges. */
  finish(window: { injectedAt: number; healedAt: number }): Promise<AlertJournal>;
  close(): Promise<void>;
}

/**
 * One drill's alert check: starts a private Prometheus (when the binary exists, `enabled` is not false and the alert
 * is checkable on one machine) and polls /api/v1/alerts every 250 ms; otherwise every answer is "not checked".
 */
export async function watchAlert(options: {
  expectation: AlertExpectation;
  targets: () => readonly string[];
  now: () => number;
  enabled?: boolean;
  log?: (line: string) => void;
}): Promise<AlertWatch> {
  const { expectation } = options;
  const base = { alert: expectation.name, expectation: expectation.expect, ...(expectation.differsFromCluster ? { differsFromCluster: expectation.differsFromCluster } : {}), transitions: [] };
  const notChecked = (reason: string): AlertWatch => ({
    baseline: async () => {},
    finish: async () => ({ ...base, status: 'not-checked', reason }),
    close: async () => {},
  });
  if (expectation.notCheckableLocally) return notChecked(expectation.notCheckableLocally);
  if (options.enabled === false) return notChecked('Prometheus disabled (--no-prometheus)');
  if (!(await prometheusVersion())) return notChecked('no prometheus binary on PATH (Debian package `prometheus`)');

  let prom: DrillPrometheus;
  try {
    prom = await startDrillPrometheus({ targets: options.targets() });
  } catch (err) {
    return notChecked(`prometheus did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const transitions: AlertJournal['transitions'] = [];
  let pollError: string | undefined;
  let stopped = false;
  const poll = (async () => {
    while (!stopped) {
      try {
        const state = await prom.alertState(expectation.name);
        if (transitions.at(-1)?.state !== state && !(transitions.length === 0 && state === 'inactive')) {
          transitions.push({ t: options.now(), state });
          options.log?.(`alert ${expectation.name}: ${state}`);
        }
        pollError = undefined;
      } catch (err) {
        pollError = err instanceof Error ? err.message : String(err);
      }
      await sleep(250);
    }
  })();
  const stop = async () => {
    stopped = true;
    await poll;
    await prom.close();
  };
  const rule = prom.changes[expectation.name];
  return {
    async baseline(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const targets = await prom.targets().catch(() => []);
        const state = transitions.at(-1)?.state ?? 'inactive';
        if (targets.length === options.targets().length && targets.every((t) => t.health === 'up') && state === 'inactive') return;
        if (Date.now() > deadline) {
          options.log?.(`alert ${expectation.name}: no clean baseline within ${timeoutMs} ms (targets ${targets.map((t) => t.health).join(',') || 'none'}, alert ${state})`);
          return;
        }
        await sleep(250);
      }
    },
    async finish(window) {
      // A silent alert may only turn firing after its window and `for` have passed; a fired one needs time to resolve.
      const settleS = rule ? Math.max(0, ...rule.windows.map(([, to]) => parseDuration(to) / 1_000)) + (rule.for ? parseDuration(rule.for[1]) / 1_000 : 0) + DETECTION_LAG_S : DETECTION_LAG_S;
      const settleUntil = window.healedAt + settleS;
      const resolveUntil = options.now() + RESOLVE_TIMEOUT_S;
      while (options.now() < settleUntil || (transitions.some((x) => x.state === 'firing') && transitions.at(-1)?.state !== 'inactive' && options.now() < resolveUntil)) await sleep(250);
      const evidence = rule ? await gatherEvidence(prom, rule.expr, Math.max(1, Math.ceil(options.now() - window.injectedAt))).catch(() => undefined) : undefined;
      await stop();
      const judged = judgeAlert(expectation, transitions, window);
      // Silence means nothing when the rule never saw the service's metrics.
      if (judged.status === 'stayed-silent' && evidence && Object.values(evidence.series).every((n) => n === 0)) {
        return { ...base, status: 'not-checked', reason: `none of ${Object.keys(evidence.series).join(', ')} was scraped, so silence proves nothing`, ...(rule ? { rule } : {}), evidence, transitions };
      }
      const reason = judged.reason ?? (pollError ? `last poll error: ${pollError}` : undefined);
      return { ...base, ...judged, ...(reason ? { reason } : {}), ...(rule ? { rule } : {}), ...(evidence ? { evidence } : {}), transitions };
    },
    close: async () => {
      if (!stopped) await stop();
    },
  };
}
