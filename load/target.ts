import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../evals/sim/index.js';
import type { LatencyModel } from './profiles.js';
import { LOAD_CASSETTES } from './scenarios.js';
import { startServiceProcess, type ServiceEntry } from './service-process.js';

/** The service's own resource use over one run. */
export interface ResourceSample {
  rssBytesMax: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface LoadTarget {
  url: string;
  /** Only for a local target: the simulator, for the model-time ledger behind the efficiency bound. */
  sim?: Simulator;
  /** True when this harness started the service (and its simulator). */
  inProcess: boolean;
  /** Only for a local target: the service's process id, whose CPU time /proc reports. */
  pid?: () => number | undefined;
  /** Starts measuring the service's RSS and event-loop delay; the returned function stops and reports. */
  measure(): () => Promise<ResourceSample>;
  close(): Promise<void>;
}

/**
 * Starts the simulator (paced by the latency model) here and the service as its own process on 127.0.0.1 (AUTH none,
 * in-memory state unless redisUrl): the load generator must not share the service's event loop, or a busy loop would
 * delay the schedule (coordinated omission) and inflate the loop-delay figures.
 */
export async function startLocalTarget(latency: LatencyModel, options: { redisUrl?: string } = {}): Promise<LoadTarget> {
  const sim = await startLoadSimulator(latency);
  try {
    const service = await startServiceTarget(sim, options);
    return {
      ...service,
      async close() {
        await service.close();
        await sim.close();
      },
    };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/** The simulator with the load scenarios' cassettes, paced by the latency model. */
export function startLoadSimulator(latency: LatencyModel): Promise<Simulator> {
  return startSimulator({ cassettes: LOAD_CASSETTES, faults: { ttftMs: latency.ttftMs, tokensPerSecond: latency.tokensPerSecond } });
}

/**
 * One service process on 127.0.0.1 with a simulator it does not own (several services may share one; `load --against`
 * gives REF and the candidate one identical simulator each, so each side's model-time ledger counts its own calls). `root` is the checkout it serves; its
 * workspace is a fresh temporary directory; `entry: 'bundle'` serves the built dist/service.mjs (what ships) instead of
 * the sources. close() stops the service, not the simulator.
 */
export async function startServiceTarget(
  sim: Simulator,
  options: { redisUrl?: string; root?: string; readyTimeoutMs?: number; entry?: ServiceEntry } = {},
): Promise<LoadTarget> {
  const root = await mkdtemp(join(tmpdir(), 'lm-load-'));
  try {
    const service = await startServiceProcess(
      {
        OPENAI_BASE_URL: sim.url,
        OPENAI_API_KEY: 'load',
        LLM_MODEL: 'sim',
        WORKSPACE_ROOT: root,
        AUTH: 'none',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
        ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      },
      {
        ...(options.root ? { root: options.root } : {}),
        ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
        ...(options.entry ? { entry: options.entry } : {}),
      },
    );
    return {
      ...remoteTarget(service.url),
      sim,
      inProcess: true,
      pid: () => service.pid(),
      async close() {
        await service.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/** Reads one unlabelled sample of a metric from Prometheus text exposition. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  const value = line ? Number(line.slice(name.length + 1).trim().split(' ')[0]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** An existing service: its /metrics (prom-client defaults) is scraped for RSS and event-loop lag during the run. */
export function remoteTarget(url: string, metricsUrl = `${url.replace(/\/$/, '')}/metrics`): LoadTarget {
  return {
    url: url.replace(/\/$/, ''),
    inProcess: false,
    measure() {
      let rssBytesMax = 0;
      let lagP99 = 0;
      let lagMax = 0;
      const scrape = async () => {
        try {
          const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })).text();
          rssBytesMax = Math.max(rssBytesMax, metricValue(text, 'process_resident_memory_bytes') ?? 0);
          lagP99 = Math.max(lagP99, (metricValue(text, 'nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000);
          lagMax = Math.max(lagMax, (metricValue(text, 'nodejs_eventloop_lag_max_seconds') ?? 0) * 1000);
        } catch {
          // A scrape that fails under load leaves the previous maximum; the load numbers still stand.
        }
      };
      void scrape();
      const timer = setInterval(() => void scrape(), 2_000);
      return async () => {
        clearInterval(timer);
        await scrape();
        return { rssBytesMax, eventLoopDelayP99Ms: lagP99, eventLoopDelayMaxMs: lagMax };
      };
    },
    async close() {},
  };
}
