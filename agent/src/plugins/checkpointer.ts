import { MemorySaver } from '@langchain/langgraph';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { ServiceCheckpointer } from './service.js';

/**
 * The service's checkpointer. The in-memory saver serves until the Redis store is wired here; /ready reports it
 * as degraded (state is lost on restart and not shared between replicas).
 */
export async function createServiceCheckpointer(
  _config: Config,
  _parts: { metrics: Metrics; log: Logger; redis?: Redis },
): Promise<ServiceCheckpointer> {
  return new MemorySaver();
}
