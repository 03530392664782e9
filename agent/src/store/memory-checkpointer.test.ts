import { emptyCheckpoint, MemorySaver, type CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { describe, expect, it } from 'vitest';
import { InMemoryCheckpointSaver } from './memory-checkpointer.js';

const metadata: CheckpointMetadata = { source: 'input', step: -1, parents: {} };
const cfg = (threadId: string) => ({ configurable: { thread_id: threadId, checkpoint_ns: '' } });

async function save(saver: MemorySaver, threadId: string): Promise<void> {
  const checkpoint = emptyCheckpoint();
  const saved = await saver.put(cfg(threadId), checkpoint, metadata);
  await saver.putWrites(saved, [['messages', `hello ${threadId}`]], 'task-1');
}

function setup(options: { maxThreads?: number; maxBytes?: number; ttlSeconds?: number } = {}) {
  let clock = 1_000_000;
  const evicted: { threadId: string; reason: string }[] = [];
  const saver = new InMemoryCheckpointSaver({ onEvict: (e) => evicted.push({ ...e }) }, undefined, { ...options, now: () => clock });
  return { saver, evicted, advance: (ms: number) => (clock += ms) };
}

describe('InMemoryCheckpointSaver bounds', () => {
  it('keeps at most maxThreads threads, evicting the least recently used with its checkpoints and writes', async () => {
    const { saver, evicted } = setup({ maxThreads: 2 });
    await save(saver, 'a');
    await save(saver, 'b');
    await save(saver, 'c');
    expect(evicted).toEqual([{ threadId: 'a', reason: 'lru' }]);
    expect(saver.size).toBe(2);
    expect(await saver.getTuple(cfg('a'))).toBeUndefined();
    expect(Object.keys(saver.storage).sort()).toEqual(['b', 'c']);
    expect(Object.keys(saver.writes).some((k) => k.includes('"a"'))).toBe(false);
    expect((await saver.getTuple(cfg('b')))?.pendingWrites).toHaveLength(1);
    await saver.close();
  });

  it("the twin: LangGraph's MemorySaver, fed the same threads, holds them all (the store grows past the limit)", async () => {
    const unbounded = new MemorySaver();
    for (const id of ['a', 'b', 'c']) await save(unbounded, id);
    expect(Object.keys(unbounded.storage).sort()).toEqual(['a', 'b', 'c']);
    expect(await unbounded.getTuple(cfg('a'))).toBeDefined();
  });

  it('keeps at most maxBytes of serialized state, evicting the least recently used threads; a delete gives its bytes back', async () => {
    // One thread's size, measured on an unbounded saver.
    const probe = setup();
    await save(probe.saver, 'a');
    const one = probe.saver.bytes;
    expect(one).toBeGreaterThan(0);

    const { saver, evicted } = setup({ maxThreads: 100, maxBytes: 2 * one });
    await save(saver, 'a');
    await save(saver, 'b');
    expect(saver.bytes).toBe(2 * one);
    await save(saver, 'c');
    expect(evicted).toEqual([{ threadId: 'a', reason: 'lru' }]);
    expect(saver.bytes).toBe(2 * one);
    await saver.deleteThread('b');
    expect(saver.bytes).toBe(one);
  });

  it('the twin: under the default byte bound the same threads hold three times one thread, all kept', async () => {
    const probe = setup();
    await save(probe.saver, 'a');
    const { saver, evicted } = setup({ maxThreads: 100 });
    for (const id of ['a', 'b', 'c']) await save(saver, id);
    expect(evicted).toEqual([]);
    expect(saver.bytes).toBe(3 * probe.saver.bytes);
    expect(await saver.getTuple(cfg('a'))).toBeDefined();
  });

  it('counts a read as a use: the thread read last survives', async () => {
    const { saver, evicted } = setup({ maxThreads: 2 });
    await save(saver, 'a');
    await save(saver, 'b');
    await saver.getTuple(cfg('a'));
    await save(saver, 'c');
    expect(evicted.map((e) => e.threadId)).toEqual(['b']);
    expect(await saver.getTuple(cfg('a'))).toBeDefined();
  });

  it('never evicts a thread with a run in progress, nor the thread just written; the bound holds again on release', async () => {
    const { saver, evicted } = setup({ maxThreads: 1 });
    const release = saver.retain('a');
    await save(saver, 'a');
    await save(saver, 'b');
    expect(evicted).toEqual([]);
    await save(saver, 'c');
    expect(evicted.map((e) => e.threadId)).toEqual(['b']);
    expect(await saver.getTuple(cfg('a'))).toBeDefined();
    release();
    // Released, `a` is the most recent use: the bound now drops `c`, each thread reported once.
    expect(evicted.map((e) => e.threadId)).toEqual(['b', 'c']);
    expect(saver.size).toBe(1);
    expect(await saver.getTuple(cfg('a'))).toBeDefined();
  });

  it('evicts threads idle longer than the TTL, as reason ttl', async () => {
    const { saver, evicted, advance } = setup({ maxThreads: 100, ttlSeconds: 60 });
    await save(saver, 'old');
    advance(45_000);
    await save(saver, 'young');
    advance(20_000);
    saver.sweep();
    expect(evicted).toEqual([{ threadId: 'old', reason: 'ttl' }]);
    expect(await saver.hasThread('old')).toBe(false);
    expect(await saver.getTuple(cfg('young'))).toBeDefined();
    await saver.close();
  });

  it('the twin: without a TTL the same idle thread stays', async () => {
    const { saver, evicted, advance } = setup({ maxThreads: 100 });
    await save(saver, 'old');
    advance(65_000);
    saver.sweep();
    expect(evicted).toEqual([]);
    expect(await saver.hasThread('old')).toBe(true);
    expect(await saver.getTuple(cfg('old'))).toBeDefined();
  });

  it('does not report an explicit delete as an eviction', async () => {
    const { saver, evicted } = setup({ maxThreads: 1 });
    await save(saver, 'a');
    await saver.deleteThread('a');
    await save(saver, 'b');
    expect(evicted).toEqual([]);
    expect(saver.size).toBe(1);
  });
});
