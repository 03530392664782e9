import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeThreadWorkspace } from './checkpointer.js';

/** What the reaper needs of the service: where the workspaces are and which threads still exist. */
export interface WorkspaceReaperOptions {
  readonly workspaceRoot: string;
  /** A folder modified more recently than this is kept: a run creates its folder before its first checkpoint. */
  readonly graceMs: number;
  /** Sweep this often (an unref'd timer); 0 or unset: only when `sweep()` is called. */
  readonly intervalMs?: number;
  /** Whether the checkpointer still holds state for the thread; a throw skips the sweep (never delete when unsure). */
  readonly hasThread: (threadId: string) => Promise<boolean>;
  /** Threads with a run in progress on this instance: never touched. */
  readonly inFlight: () => ReadonlySet<string>;
  readonly onRemoved?: (threadId: string) => void;
  readonly onError?: (err: Error) => void;
  readonly now?: () => number;
}

export interface WorkspaceReaper {
  /** Removes the workspaces of threads that no longer exist; resolves with the threads removed. */
  sweep(): Promise<string[]>;
  close(): void;
}

const THREAD_FOLDER = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Removes `<WORKSPACE_ROOT>/<thread>` folders whose thread has no state left: expired in Redis
 * (CHECKPOINT_TTL_SECONDS), erased, or lost with an in-memory service that restarted. The in-memory checkpointer's
 * own evictions remove their folders at once (createServiceCheckpointer); this sweep catches every other way a
 * thread goes, so the disk holds one folder per living thread, not one per request ever served.
 *
 * @example
 *   const reaper = startWorkspaceReaper({ workspaceRoot, graceMs: 600_000, intervalMs: 600_000, hasThread, inFlight });
 *   await reaper.sweep(); // ['t-expired', …]
 */
export function startWorkspaceReaper(options: WorkspaceReaperOptions): WorkspaceReaper {
  const now = options.now ?? Date.now;
  let running: Promise<string[]> | undefined;

  async function sweepOnce(): Promise<string[]> {
    const removed: string[] = [];
    const entries = await readdir(options.workspaceRoot, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const entry of entries) {
      const threadId = entry.name;
      if (!entry.isDirectory() || !THREAD_FOLDER.test(threadId) || options.inFlight().has(threadId)) continue;
      const stat = await lstat(join(options.workspaceRoot, threadId)).catch(() => undefined);
      if (!stat || now() - stat.mtimeMs < options.graceMs) continue;
      if (await options.hasThread(threadId)) continue;
      // A run of it may have started while the checkpointer was asked.
      if (options.inFlight().has(threadId)) continue;
      await removeThreadWorkspace(options.workspaceRoot, threadId);
      removed.push(threadId);
      options.onRemoved?.(threadId);
    }
    return removed;
  }

  const sweep = () =>
    (running ??= sweepOnce().finally(() => {
      running = undefined;
    }));

  const timer = options.intervalMs
    ? setInterval(() => {
        sweep().catch((err: unknown) => options.onError?.(err instanceof Error ? err : new Error(String(err))));
      }, options.intervalMs)
    : undefined;
  timer?.unref();

  return {
    sweep,
    close: () => clearInterval(timer),
  };
}
