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

/**
 * LangGraph's MemorySaver, reporting every operation with `backend: 'memory'` and a health that always says
 * "degraded": it is the fallback when no Redis is configured, so state is lost on restart and not shared
 * between replicas, and /ready must say so.
 */
export class InMemoryCheckpointSaver extends MemorySaver {
  readonly backend = 'memory' as const;
  private readonly hooks: CheckpointerHooks | undefined;

  constructor(hooks?: CheckpointerHooks, serde?: SerializerProtocol) {
    super(serde);
    this.hooks = hooks;
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.run('load', threadOf(config), () => super.getTuple(config));
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

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    return this.run('save', threadOf(config), () => super.put(config, checkpoint, metadata));
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    return this.run('writes', threadOf(config), () => super.putWrites(config, writes, taskId, taskPath));
  }

  override deleteThread(threadId: string): Promise<void> {
    return this.run('delete', threadId, () => super.deleteThread(threadId));
  }

  async health(): Promise<CheckpointerHealth> {
    return { ok: true, backend: 'memory', degraded: true, latencyMs: 0 };
  }

  async close(): Promise<void> {}

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

function threadOf(config: RunnableConfig): string | undefined {
  const id: unknown = config.configurable?.thread_id;
  return typeof id === 'string' ? id : undefined;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
