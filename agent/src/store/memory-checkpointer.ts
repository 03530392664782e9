import type { RunnableConfig } from '@langchain/core/runnables';
import {
  MemorySaver,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { report, type CheckpointerHealth, type CheckpointerHooks, type CheckpointerOperation } from './checkpoint-events.js';

export interface InMemoryCheckpointSaverOptions {
  /** Threads kept; beyond it the least recently used thread (not one with a run in progress) is evicted. */
  readonly maxThreads?: number;
  /**
   * Serialized bytes kept (checkpoints, metadata and pending writes of every thread); beyond it the least recently
   * used threads are evicted too. A thread's checkpoints grow with its length, so a count alone does not bound memory.
   */
  readonly maxBytes?: number;
  /** Evict a thread this long after its last use (read or write); unset keeps threads until the LRU bound drops them. */
  readonly ttlSeconds?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/** The in-memory fallback's default thread bound (CHECKPOINT_MEMORY_MAX_THREADS). */
export const DEFAULT_MEMORY_MAX_THREADS = 1000;
/** The in-memory fallback's default byte bound (CHECKPOINT_MEMORY_MAX_MB). */
export const DEFAULT_MEMORY_MAX_BYTES = 256 * 1024 * 1024;

/**
 * LangGraph's MemorySaver, reporting every operation with `backend: 'memory'` and a health that always says
 * "degraded": it is the fallback when no Redis is configured, so state is lost on restart and not shared
 * between replicas, and /ready must say so.
 *
 * Bounded, so memory stays flat under traffic: at most `maxThreads` threads and `maxBytes` of serialized state (least
 * recently used threads evicted first) and, with `ttlSeconds`, none idle longer than that (swept on writes and by an unref'd timer). A thread with a
 * run in progress (`retain`) is never evicted. Every eviction is reported through `hooks.onEvict`.
 */
export class InMemoryCheckpointSaver extends MemorySaver {
  readonly backend = 'memory' as const;
  readonly maxThreads: number;
  readonly maxBytes: number;
  readonly ttlMs: number | undefined;
  private readonly hooks: CheckpointerHooks | undefined;
  private readonly now: () => number;
  /** Thread → last use, in least-recently-used-first order (a use moves the thread to the end). */
  private readonly lastUsed = new Map<string, number>();
  /** Thread → its keys in `this.writes`, so an eviction costs the thread's writes, not a scan of everyone's. */
  private readonly writeKeys = new Map<string, Set<string>>();
  /** Threads with a run in progress, with how many runs hold them. */
  private readonly retained = new Map<string, number>();
  /** Thread → serialized bytes it holds here, and their sum. */
  private readonly threadBytes = new Map<string, number>();
  private totalBytes = 0;
  private readonly sweeper: NodeJS.Timeout | undefined;

  constructor(hooks?: CheckpointerHooks, serde?: SerializerProtocol, options: InMemoryCheckpointSaverOptions = {}) {
    super(serde);
    this.hooks = hooks;
    this.maxThreads = options.maxThreads ?? DEFAULT_MEMORY_MAX_THREADS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MEMORY_MAX_BYTES;
    this.ttlMs = options.ttlSeconds === undefined ? undefined : options.ttlSeconds * 1000;
    this.now = options.now ?? Date.now;
    if (this.ttlMs !== undefined) {
      // An idle service must also let go of expired threads (and their workspaces).
      this.sweeper = setInterval(() => this.sweep(), Math.min(this.ttlMs, 60_000));
      this.sweeper.unref();
    }
  }

  /** Threads currently held. */
  get size(): number {
    return this.lastUsed.size;
  }

  /** Serialized bytes currently held, all threads together. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Marks the thread in use for the duration of a run: it is not evicted (LRU or TTL) until the returned release
   * is called, which counts as its latest use.
   */
  retain(threadId: string): () => void {
    this.retained.set(threadId, (this.retained.get(threadId) ?? 0) + 1);
    this.touch(threadId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.retained.get(threadId) ?? 1) - 1;
      if (count > 0) this.retained.set(threadId, count);
      else this.retained.delete(threadId);
      this.touch(threadId);
      this.enforceBounds();
    };
  }

  /** Whether the thread has state here; not a use (it does not save the thread from eviction). */
  async hasThread(threadId: string): Promise<boolean> {
    return this.storage[threadId] !== undefined;
  }

  /** Evicts the threads idle longer than the TTL (not those with a run in progress). */
  sweep(): void {
    if (this.ttlMs === undefined) return;
    const cutoff = this.now() - this.ttlMs;
    for (const [threadId, used] of this.lastUsed) {
      if (used > cutoff) break;
      if (!this.retained.has(threadId)) this.evict(threadId, 'ttl');
    }
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = threadOf(config);
    if (threadId !== undefined && this.lastUsed.has(threadId)) this.touch(threadId);
    return this.run('load', threadId, () => super.getTuple(config));
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const started = performance.now();
    let failed = false;
    try {
      yield* super.list(config, options);
    } catch (err) {
      failed = true;
      report(this.hooks, { operation: 'list', backend: 'memory', status: 'error', durationMs: performance.now() - started, threadId: threadOf(config), error: asError(err) });
      throw err;
    } finally {
      if (!failed) report(this.hooks, { operation: 'list', backend: 'memory', status: 'ok', durationMs: performance.now() - started, threadId: threadOf(config) });
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    const threadId = threadOf(config);
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const stored = () => (threadId === undefined ? 0 : entryBytes(this.storage[threadId]?.[ns]?.[checkpoint.id]));
    const before = stored();
    const saved = await this.run('save', threadId, () => super.put(config, checkpoint, metadata));
    if (threadId !== undefined) {
      this.count(threadId, stored() - before);
      this.touch(threadId);
      this.enforceBounds(threadId);
    }
    return saved;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = threadOf(config);
    // The same key MemorySaver files the writes under.
    const key = JSON.stringify([threadId, config.configurable?.checkpoint_ns, config.configurable?.checkpoint_id]);
    const before = writesBytes(this.writes[key]);
    await this.run('writes', threadId, () => super.putWrites(config, writes, taskId, taskPath));
    if (threadId === undefined) return;
    const keys = this.writeKeys.get(threadId);
    if (keys) keys.add(key);
    else this.writeKeys.set(threadId, new Set([key]));
    this.count(threadId, writesBytes(this.writes[key]) - before);
    this.touch(threadId);
    this.enforceBounds(threadId);
  }

  override async deleteThread(threadId: string): Promise<void> {
    await this.run('delete', threadId, () => super.deleteThread(threadId));
    this.lastUsed.delete(threadId);
    this.writeKeys.delete(threadId);
    this.forget(threadId);
  }

  async health(): Promise<CheckpointerHealth> {
    return { ok: true, backend: 'memory', degraded: true, latencyMs: 0 };
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  private touch(threadId: string): void {
    this.lastUsed.delete(threadId);
    this.lastUsed.set(threadId, this.now());
  }

  private count(threadId: string, delta: number): void {
    if (!delta) return;
    this.threadBytes.set(threadId, (this.threadBytes.get(threadId) ?? 0) + delta);
    this.totalBytes += delta;
  }

  private forget(threadId: string): void {
    this.totalBytes -= this.threadBytes.get(threadId) ?? 0;
    this.threadBytes.delete(threadId);
  }

  /** Evicts the expired threads, then the least recently used ones beyond the bounds, sparing `keep` (just written). */
  private enforceBounds(keep?: string): void {
    this.sweep();
    const over = () => this.lastUsed.size > this.maxThreads || this.totalBytes > this.maxBytes;
    if (!over()) return;
    for (const threadId of this.lastUsed.keys()) {
      if (!over()) return;
      if (threadId !== keep && !this.retained.has(threadId)) this.evict(threadId, 'lru');
    }
  }

  private evict(threadId: string, reason: 'lru' | 'ttl'): void {
    this.lastUsed.delete(threadId);
    delete this.storage[threadId];
    for (const key of this.writeKeys.get(threadId) ?? []) delete this.writes[key];
    this.writeKeys.delete(threadId);
    this.forget(threadId);
    try {
      this.hooks?.onEvict?.({ threadId, reason });
    } catch {
      // Observability and clean-up must never fail a save.
    }
  }

  private async run<T>(operation: CheckpointerOperation, threadId: string | undefined, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      report(this.hooks, { operation, backend: 'memory', status: 'ok', durationMs: performance.now() - started, threadId });
      return result;
    } catch (err) {
      report(this.hooks, { operation, backend: 'memory', status: 'error', durationMs: performance.now() - started, threadId, error: asError(err) });
      throw err;
    }
  }
}

/** A stored value's size: MemorySaver keeps what the serde produced (bytes, or a string for some serdes). */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  return value instanceof Uint8Array ? value.byteLength : 0;
}

/** A stored checkpoint: [checkpoint, metadata, parent id]. */
function entryBytes(entry: readonly unknown[] | undefined): number {
  return entry ? sizeOf(entry[0]) + sizeOf(entry[1]) : 0;
}

/** One checkpoint's pending writes: inner key → [task id, channel, value, task path]. */
function writesBytes(writes: Record<string, readonly unknown[]> | undefined): number {
  let bytes = 0;
  for (const write of Object.values(writes ?? {})) bytes += sizeOf(write[2]);
  return bytes;
}

function threadOf(config: RunnableConfig): string | undefined {
  const id: unknown = config.configurable?.thread_id;
  return typeof id === 'string' ? id : undefined;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
