import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { CheckpointFailedError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';

/** Runs older than this many per thread are forgotten: feedback is for recent answers. */
export const MAX_RUNS_PER_THREAD = 1_000;
const DEFAULT_TTL_SECONDS = 30 * 86_400;

/** Which run ids this service answered, per thread: feedback for a run it never answered is a 404, not a metric. */
export interface RunRegistry {
  record(threadId: string, runId: string): Promise<void>;
  has(threadId: string, runId: string): Promise<boolean>;
  dropThread(threadId: string): Promise<void>;
}

/**
 * Redis (a set per thread, `lm:runs:{<thread>}`, so the thread's erasure and its TTL take it too) when configured,
 * else an in-process map bounded like the in-memory checkpointer (CHECKPOINT_MEMORY_MAX_THREADS threads, least
 * recently used dropped first, counted in `luminamind_store_evictions_total{store="run_registry"}`). A Redis failure on lookup is AGT_ERR_CHECKPOINT_FAILED (503): an unchecked run id
 * is neither accepted nor refused.
 */
export function createRunRegistry(config: Config, redis?: Redis, metrics?: Pick<Metrics, 'storeEvictions'>): RunRegistry {
  const ttl = config.store.checkpointTtlSeconds ?? DEFAULT_TTL_SECONDS;
  const key = (threadId: string) => `lm:runs:{${threadId}}`;
  if (redis) {
    return {
      async record(threadId, runId) {
        await redis.multi().sadd(key(threadId), runId).expire(key(threadId), ttl).exec();
      },
      async has(threadId, runId) {
        try {
          return (await redis.sismember(key(threadId), runId)) === 1;
        } catch (err) {
          throw new CheckpointFailedError('run lookup', err instanceof Error ? err.message : String(err));
        }
      },
      async dropThread(threadId) {
        await redis.unlink(key(threadId));
      },
    };
  }
  const maxThreads = config.store.memory.maxThreads;
  // Map order is the LRU order: a use re-inserts the thread at the end.
  const threads = new Map<string, Set<string>>();
  return {
    async record(threadId, runId) {
      const runs = threads.get(threadId) ?? new Set<string>();
      threads.delete(threadId);
      threads.set(threadId, runs);
      runs.add(runId);
      if (runs.size > MAX_RUNS_PER_THREAD) runs.delete(runs.values().next().value!);
      for (const oldest of threads.keys()) {
        if (threads.size <= maxThreads) break;
        threads.delete(oldest);
        metrics?.storeEvictions.inc({ store: 'run_registry', reason: 'lru' });
      }
    },
    async has(threadId, runId) {
      return threads.get(threadId)?.has(runId) ?? false;
    },
    async dropThread(threadId) {
      threads.delete(threadId);
    },
  };
}
