import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../../load/index.js';
import { startSimulator } from '../../evals/sim/index.js';
import { LOAD_CASSETTES } from '../../load/index.js';
import { freeLoopbackPort, startServiceProcess, type ServiceProcess } from '../../load/index.js';
import { startBalancer } from './balancer.js';
import { startRedisHa } from './redis-ha.js';
import type { Stack, StackSpec } from './types.js';

/** Fast but non-zero model pacing: drills measure the service, and ×10 must still stay within seconds. */
export const BASE_FAULTS = { ttftMs: 200, tokensPerSecond: 200 } as const;

/** Resilience settings of every drill's service: quick retries, a breaker that opens after 3 failures and half-opens after 2 s. */
const SERVICE_ENV = {
  OPENAI_API_KEY: 'chaos',
  LLM_MODEL: 'sim',
  AUTH: 'none',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
  LLM_MAX_ATTEMPTS: '2',
  LLM_RETRY_MIN_MS: '50',
  LLM_RETRY_MAX_MS: '200',
  LLM_BREAKER_FAILURES: '3',
  LLM_BREAKER_HALF_OPEN_MS: '2000',
  LLM_TIMEOUT_MS: '8000',
};

/**
 * Which code the service processes run: the TypeScript sources through tsx (`bin/luminamind serve`, what `npm start`
 * runs), or a bundle built from them for this run (`root` from load's bundleServiceToTemp: one file to parse, a third
 * of the start-up CPU, and the artifact that ships).
 */
export type ServiceCode = { entry: 'source' } | { entry: 'bundle'; root: string };

/** Starts simulators, Redis, the service process(es) and the balancer for one drill; close() stops all of it, also on failure. */
export async function startStack(
  spec: StackSpec,
  code: ServiceCode = { entry: 'source' },
  /** Told the service processes' URLs once their ports are chosen, before they start (the alert check's Prometheus). */
  announce: (urls: string[]) => Promise<void> = async () => {},
): Promise<Stack & { close(): Promise<void> }> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    const primary = await startSimulator({ cassettes: LOAD_CASSETTES, faults: BASE_FAULTS });
    closers.push(() => primary.close());
    const fallback = spec.fallback ? await startSimulator({ cassettes: LOAD_CASSETTES }) : undefined;
    if (fallback) closers.push(() => fallback.close());
    const redis = spec.redis === 'persistent' || spec.redis === 'ephemeral' ? await startRedis({ persist: spec.redis === 'persistent' }) : undefined;
    if (redis) closers.push(() => redis.close());
    // The Redis group's own waits (replicas in sync, Sentinels seeing each other) dominate its ~2.5 s start.
    const redisHa = spec.redis === 'replicated' ? await startRedisHa() : undefined;
    if (redisHa) closers.push(() => redisHa.close());
    const root = await mkdtemp(join(tmpdir(), 'lm-chaos-'));
    closers.push(() => rm(root, { recursive: true, force: true }));
    const scratch = await mkdtemp(join(tmpdir(), 'lm-chaos-scratch-'));
    closers.push(() => rm(scratch, { recursive: true, force: true }));
    const env: Record<string, string> = {
      ...SERVICE_ENV,
      OPENAI_BASE_URL: primary.url,
      WORKSPACE_ROOT: root,
      ...(fallback ? { LLM_FALLBACK_BASE_URL: fallback.url, LLM_FALLBACK_MODEL: 'sim', LLM_FALLBACK_API_KEY: 'chaos' } : {}),
      ...(redis ? { REDIS_URL: redis.url } : {}),
      ...(redisHa ? (spec.redisClient === 'direct' ? { REDIS_URL: redisHa.nodes[0]!.url } : { REDIS_SENTINELS: redisHa.sentinelList, REDIS_SENTINEL_NAME: redisHa.name }) : {}),
      ...spec.env,
    };
    // Replicas start side by side; each one that came up is closed with the stack even when another failed.
    const ports = await Promise.all(Array.from({ length: spec.replicas ?? 1 }, () => freeLoopbackPort()));
    await announce(ports.map((port) => `http://127.0.0.1:${port}`));
    const started = await Promise.allSettled(
      ports.map((port) => startServiceProcess(env, { port, nodeArgs: spec.nodeArgs, ...(code.entry === 'bundle' ? { entry: 'bundle', root: code.root } : {}) })),
    );
    const services: ServiceProcess[] = [];
    for (const r of started) {
      if (r.status !== 'fulfilled') continue;
      closers.push(() => r.value.close());
      services.push(r.value);
    }
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const balancer = services.length > 1 ? await startBalancer(services.map((s) => s.url), { healthChecks: spec.healthChecks ?? true }) : undefined;
    if (balancer) closers.push(() => balancer.close());
    return { url: balancer?.url ?? services[0]!.url, primary, fallback, redis, redisHa, services, balancer, scratch, spec, baseFaults: { ...BASE_FAULTS }, close };
  } catch (err) {
    await close();
    throw err;
  }
}
