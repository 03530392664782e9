import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { loadConfig, startService } from '../agent/src/index.js';
import { startSimulator, type Simulator } from '../evals/sim/index.js';
import type { LatencyModel } from './profiles.js';
import { LOAD_CASSETTES } from './scenarios.js';

/** The service's own resource use over one run. */
export interface ResourceSample {
  rssBytesMax: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface LoadTarget {
  url: string;
  /** Only in-process: the simulator, for the model-time ledger behind the efficiency bound. */
  sim?: Simulator;
  inProcess: boolean;
  /** Starts measuring the service's RSS and event-loop delay; the returned function stops and reports. */
  measure(): () => Promise<ResourceSample>;
  close(): Promise<void>;
}

const discard = new Writable({ write: (_c, _e, done) => done() }) as unknown as DestinationStream;

/** Starts the simulator (paced by the latency model) and the service on 127.0.0.1, AUTH none, in-memory state unless redisUrl. */
export async function startInProcessTarget(latency: LatencyModel, options: { redisUrl?: string } = {}): Promise<LoadTarget> {
  const sim = await startSimulator({ cassettes: LOAD_CASSETTES, faults: { ttftMs: latency.ttftMs, tokensPerSecond: latency.tokensPerSecond } });
  const root = await mkdtemp(join(tmpdir(), 'lm-load-'));
  try {
    const config = loadConfig({
      OPENAI_BASE_URL: sim.url,
      OPENAI_API_KEY: 'load',
      LLM_MODEL: 'sim',
      WORKSPACE_ROOT: root,
      AUTH: 'none',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    });
    const service = await startService(config, { logStream: discard, shutdownDeadlineMs: 5_000 });
    return {
      url: service.url,
      sim,
      inProcess: true,
      measure() {
        // Same process as autocannon: at the profile's modest rates the generator's share of the loop is small.
        const histogram = monitorEventLoopDelay({ resolution: 10 });
        histogram.enable();
        let rssBytesMax = process.memoryUsage().rss;
        const timer = setInterval(() => (rssBytesMax = Math.max(rssBytesMax, process.memoryUsage().rss)), 250);
        return async () => {
          clearInterval(timer);
          histogram.disable();
          return { rssBytesMax, eventLoopDelayP99Ms: histogram.percentile(99) / 1e6, eventLoopDelayMaxMs: histogram.max / 1e6 };
        };
      },
      async close() {
        await service.close();
        await sim.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sim.close();
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
