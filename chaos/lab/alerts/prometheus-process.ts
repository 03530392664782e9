import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { z } from 'zod';
import { freeLoopbackPort } from '../../../load/index.js';
import { compressRules, RULES_FILE, SCRAPE_INTERVAL, type CompressedRules } from './drill-rules.js';
import type { AlertState } from './judge-alert.js';

/**
 * A private Prometheus config: 1 s scrapes as job `luminamind`, namespace `drill`, no alertmanager, no remote anything.
 * The targets come from `targetsFile` (file_sd, see targetGroups) so one Prometheus can serve a whole chaos run: each
 * drill points it at its own service processes, with nobody else's left in the list.
 */
export function prometheusConfig(options: { targetsFile: string; rulesFile: string }): string {
  return stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL, scrape_timeout: '800ms' },
    rule_files: [options.rulesFile],
    scrape_configs: [
      {
        job_name: 'luminamind',
        metrics_path: '/metrics',
        file_sd_configs: [{ files: [options.targetsFile], refresh_interval: SCRAPE_INTERVAL }],
      },
    ],
  });
}

/** The file_sd content for these service URLs: one group, labelled `namespace: drill` like the pods' namespace. */
export function targetGroups(targets: readonly string[]): string {
  return JSON.stringify([{ targets: targets.map((t) => new URL(t).host), labels: { namespace: 'drill' } }]);
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
  /**
   * Replaces the scraped targets (atomically: written aside, then renamed). Prometheus picks the file up at once but
   * applies target changes on its own 5 s tick, so a caller announces targets early and waits for them in targets().
   */
  setTargets(targets: readonly string[]): Promise<void>;
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
  const targetsFile = join(dir, 'targets.json');
  const setTargets = async (targets: readonly string[]) => {
    await writeFile(`${targetsFile}.tmp`, targetGroups(targets));
    await rename(`${targetsFile}.tmp`, targetsFile);
  };
  await setTargets(options.targets);
  await writeFile(join(dir, 'prometheus.yml'), prometheusConfig({ targetsFile, rulesFile: join(dir, 'rules.yaml') }));
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
    // Unref'd grace timers: once Prometheus has exited they must not hold the run open for their full length.
    if (!(await Promise.race([exited.then(() => true), sleep(5_000, undefined, { ref: false }).then(() => false)]))) {
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(2_000, undefined, { ref: false })]);
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
    setTargets,
    close,
  };
}

