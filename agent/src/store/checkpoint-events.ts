import type { Metrics } from '../observability/metrics.js';

export type CheckpointerBackend = 'redis' | 'memory';
export type CheckpointerOperation = 'save' | 'load' | 'delete' | 'list' | 'writes';

/** One finished checkpointer call: every call reports exactly once, success or failure. */
export interface CheckpointOperationEvent {
  readonly operation: CheckpointerOperation;
  readonly backend: CheckpointerBackend;
  readonly status: 'ok' | 'error';
  /** Bytes written (save, writes) or read (load, list), when the backend can tell. */
  readonly bytes?: number;
  readonly durationMs: number;
  readonly threadId?: string;
  /** The typed error that was thrown to the caller (status 'error' only). */
  readonly error?: Error;
}

export interface CheckpointerHooks {
  /** Called after every operation; must not throw (a throwing hook is ignored so it cannot fail a save). */
  readonly onOperation?: (event: CheckpointOperationEvent) => void;
  /**
   * A thread the in-memory saver dropped to stay within its bounds: `lru` (over CHECKPOINT_MEMORY_MAX_THREADS or _MB) or
   * `ttl` (idle longer than CHECKPOINT_TTL_SECONDS). The service removes the thread's workspace here.
   */
  readonly onEvict?: (event: { readonly threadId: string; readonly reason: 'lru' | 'ttl' }) => void;
  /** Connection-level Redis errors (refused, reset), reported as they happen rather than per call. */
  readonly onConnectionError?: (err: Error) => void;
}

export interface CheckpointerHealth {
  readonly ok: boolean;
  readonly backend: CheckpointerBackend;
  /** True on the in-memory fallback: state is lost on restart and not shared between replicas. */
  readonly degraded: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

/** Calls the hook, ignoring its failures: observability must never turn a good save into a failed one. */
export function report(hooks: CheckpointerHooks | undefined, event: CheckpointOperationEvent): void {
  try {
    hooks?.onOperation?.(event);
  } catch {
    // Deliberately ignored: see the doc comment.
  }
}

const METRIC_OPERATION = { save: 'save', writes: 'save', load: 'load', list: 'load', delete: 'delete' } as const;

/**
 * Hooks that feed `luminamind_checkpoint_operations_total{operation,backend,status}` and
 * `luminamind_checkpoint_size_bytes`. The original's metric knows save|load|delete only, so pending writes count
 * as saves and lists as loads.
 *
 * @example
 *   createCheckpointer(config, checkpointMetricsHooks(metrics));
 */
export function checkpointMetricsHooks(
  metrics: Pick<Metrics, 'checkpointOperations' | 'checkpointSizeBytes'>,
  extra: CheckpointerHooks = {},
): CheckpointerHooks {
  return {
    onOperation: (event) => {
      metrics.checkpointOperations.inc({
        operation: METRIC_OPERATION[event.operation],
        backend: event.backend,
        status: event.status === 'ok' ? 'success' : 'error',
      });
      if (event.operation === 'save' && event.status === 'ok' && event.bytes !== undefined) metrics.checkpointSizeBytes.observe(event.bytes);
      extra.onOperation?.(event);
    },
    onConnectionError: extra.onConnectionError,
  };
}
