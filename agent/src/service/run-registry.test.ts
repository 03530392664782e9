import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createMetrics } from '../observability/metrics.js';
import { createRunRegistry } from './run-registry.js';

const evictions = async (metrics: ReturnType<typeof createMetrics>) =>
  Number(/^luminamind_store_evictions_total\{store="run_registry",reason="lru"\} (\d+)/m.exec(await metrics.registry.metrics())?.[1] ?? 0);

describe('in-process run registry', () => {
  it('keeps the runs of at most CHECKPOINT_MEMORY_MAX_THREADS threads, dropping the least recently used and counting it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const runs = createRunRegistry(loadConfig({ CHECKPOINT_MEMORY_MAX_THREADS: '2' }), undefined, metrics);
    await runs.record('a', 'run-a');
    await runs.record('b', 'run-b');
    await runs.record('a', 'run-a2'); // `a` is now the most recent
    await runs.record('c', 'run-c');
    expect(await runs.has('b', 'run-b')).toBe(false);
    expect(await runs.has('a', 'run-a')).toBe(true);
    expect(await runs.has('c', 'run-c')).toBe(true);
    expect(await evictions(metrics)).toBe(1);
  });

  it('the twin: under a bound the traffic does not reach, every thread keeps its runs and nothing is counted', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const runs = createRunRegistry(loadConfig({ CHECKPOINT_MEMORY_MAX_THREADS: '100' }), undefined, metrics);
    for (const id of ['a', 'b', 'c']) await runs.record(id, `run-${id}`);
    for (const id of ['a', 'b', 'c']) expect(await runs.has(id, `run-${id}`)).toBe(true);
    expect(await evictions(metrics)).toBe(0);
  });
});
