import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorkspaceReaper, type WorkspaceReaperOptions } from './workspace-reaper.js';

const HOUR = 3_600_000;

describe('workspace reaper', () => {
  let root: string;
  const now = Date.parse('2026-06-01T12:00:00Z');
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lm-reap-'));
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  /** A thread folder with a file in it, last modified `ageMs` before `now`. */
  async function folder(name: string, ageMs: number): Promise<void> {
    await mkdir(join(root, name));
    await writeFile(join(root, name, 'notes.txt'), 'x');
    const at = new Date(now - ageMs);
    await utimes(join(root, name), at, at);
  }

  const reaper = (living: Set<string>, overrides: Partial<WorkspaceReaperOptions> = {}) =>
    startWorkspaceReaper({ workspaceRoot: root, graceMs: HOUR, hasThread: async (id) => living.has(id), inFlight: () => new Set(), now: () => now, ...overrides });

  it('removes the folders of threads with no state left, once unmodified for the grace period', async () => {
    await folder('expired', 2 * HOUR);
    await folder('living', 2 * HOUR);
    await folder('just-made', 60_000);
    const removed: string[] = [];
    expect(await reaper(new Set(['living']), { onRemoved: (id) => removed.push(id) }).sweep()).toEqual(['expired']);
    expect(removed).toEqual(['expired']);
    expect(existsSync(join(root, 'expired'))).toBe(false);
    // The twins: a thread that still has state, and a folder younger than the grace (a run's first moments).
    expect(existsSync(join(root, 'living', 'notes.txt'))).toBe(true);
    expect(existsSync(join(root, 'just-made'))).toBe(true);
  });

  it('never touches a thread with a run in progress, nor what is not a thread folder', async () => {
    await folder('running', 2 * HOUR);
    await folder('odd.name', 2 * HOUR);
    await writeFile(join(root, 'loose-file'), 'x');
    expect(await reaper(new Set(), { inFlight: () => new Set(['running']) }).sweep()).toEqual([]);
    expect(existsSync(join(root, 'running'))).toBe(true);
    expect(existsSync(join(root, 'odd.name'))).toBe(true);
    expect(existsSync(join(root, 'loose-file'))).toBe(true);
    // The twin: the same folder once its run is over.
    expect(await reaper(new Set()).sweep()).toEqual(['running']);
  });

  it('removes nothing when the store cannot say whether a thread exists', async () => {
    await folder('unknown', 2 * HOUR);
    const failing = reaper(new Set(), { hasThread: () => Promise.reject(new Error('redis down')) });
    await expect(failing.sweep()).rejects.toThrow('redis down');
    expect(existsSync(join(root, 'unknown'))).toBe(true);
  });

  it('a missing root is an empty sweep', async () => {
    expect(await startWorkspaceReaper({ workspaceRoot: join(root, 'absent'), graceMs: 0, hasThread: async () => false, inFlight: () => new Set() }).sweep()).toEqual([]);
  });
});
