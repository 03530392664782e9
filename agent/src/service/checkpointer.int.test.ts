import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH_HEADERS, startTestService, type TestService } from '../routes/service.test-support.js';
import { removeThreadWorkspace } from './checkpointer.js';

// A chat whose run calls a tool (read_file), so the thread gets its workspace folder: a plain answer makes none.
const READS_A_FILE = 'What is in notes.txt?';

describe('bounded in-memory threads in the service', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ CHECKPOINT_MEMORY_MAX_THREADS: '2' });
  });
  afterAll(async () => svc.close());

  const chat = (threadId: string) =>
    svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: threadId, message: READS_A_FILE } });
  const evictions = async () => {
    const text = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^luminamind_store_evictions_total\{store="checkpointer",reason="lru"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };

  it('evicts the least recently used thread beyond CHECKPOINT_MEMORY_MAX_THREADS: its state and workspace go, the metric counts it', async () => {
    expect(await evictions()).toBe(0);
    for (const id of ['evict-a', 'evict-b']) expect((await chat(id)).statusCode).toBe(200);
    // Something of the thread's own in its workspace, which must go with it.
    await writeFile(join(svc.root, 'evict-a', 'notes.txt'), 'remember the milk');
    expect(await evictions()).toBe(0);

    expect((await chat('evict-c')).statusCode).toBe(200);
    expect(await evictions()).toBe(1);
    await vi.waitFor(() => expect(existsSync(join(svc.root, 'evict-a'))).toBe(false), { timeout: 5_000 });
    expect(existsSync(join(svc.root, 'evict-b'))).toBe(true);
    expect(existsSync(join(svc.root, 'evict-c'))).toBe(true);
    const history = await svc.app.inject({ method: 'GET', url: '/v1/threads/evict-a', headers: AUTH_HEADERS });
    expect(history.statusCode).toBe(404);
    const kept = await svc.app.inject({ method: 'GET', url: '/v1/threads/evict-c', headers: AUTH_HEADERS });
    expect(kept.json().messages.length).toBeGreaterThan(0);
  });
});

describe('the twin: the same traffic under a bound it does not reach', () => {
  it('evicts nothing, counts nothing, and every workspace stays', async () => {
    const svc = await startTestService({ CHECKPOINT_MEMORY_MAX_THREADS: '100' });
    try {
      for (const id of ['evict-a', 'evict-b', 'evict-c']) {
        const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: id, message: READS_A_FILE } });
        expect(res.statusCode).toBe(200);
      }
      const text = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).not.toMatch(/^luminamind_store_evictions_total\{store="checkpointer"/m);
      expect(existsSync(join(svc.root, 'evict-a'))).toBe(true);
      expect((await svc.app.inject({ method: 'GET', url: '/v1/threads/evict-a', headers: AUTH_HEADERS })).statusCode).toBe(200);
    } finally {
      await svc.close();
    }
  });
});

describe('workspace sweep in memory', () => {
  it('removes the folders a previous process left (their threads died with it) and keeps the living ones', async () => {
    const svc = await startTestService({ WORKSPACE_SWEEP_SECONDS: '0' });
    try {
      // What an in-memory service that restarted finds: folders of threads it never held.
      await mkdir(join(svc.root, 'before-restart'));
      await writeFile(join(svc.root, 'before-restart', 'notes.txt'), 'remember the milk');
      const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'alive', message: READS_A_FILE } });
      expect(res.statusCode).toBe(200);
      expect(await svc.app.luminamind.workspaces.sweep()).toEqual(['before-restart']);
      expect(existsSync(join(svc.root, 'before-restart'))).toBe(false);
      expect(existsSync(join(svc.root, 'alive'))).toBe(true);
    } finally {
      await svc.close();
    }
  });
});

describe('removeThreadWorkspace', () => {
  it('removes only a direct child of the workspace root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lm-ws-'));
    const outside = await mkdtemp(join(tmpdir(), 'lm-ws-outside-'));
    try {
      await mkdir(join(root, 't1'));
      await removeThreadWorkspace(root, 't1');
      expect(existsSync(join(root, 't1'))).toBe(false);
      await removeThreadWorkspace(root, `../${outside.split('/').pop()}`);
      await removeThreadWorkspace(root, '');
      expect(existsSync(outside)).toBe(true);
      expect(existsSync(root)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
