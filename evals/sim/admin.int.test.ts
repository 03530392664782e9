import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, startSimulator } from './index.js';

describe('simulator admin API', () => {
  let sim: Simulator;
  let base: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const chat = (content: string, model = 'sim') =>
    fetch(`${sim.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model, messages: [{ role: 'user', content }] }) });

  beforeAll(async () => {
    sim = await startSimulator();
    base = sim.url.replace(/\/v1$/, '');
  });
  afterAll(() => sim.close());

  it('loads, lists and clears cassettes', async () => {
    expect((await call('POST', '/_admin/cassettes', { cassettes: [{ id: 'one', user: 'ping', turns: [{ content: 'pong' }] }] })).body.loaded).toEqual(['one']);
    expect((await call('POST', '/_admin/cassettes', { id: 'two', user: 'ping', turns: [{ content: 'pong 2' }] })).body.loaded).toEqual(['two']);
    expect((await call('GET', '/_admin/cassettes')).body.cassettes).toEqual([
      { id: 'one', source: 'authored', threads: 1, turns: 1 },
      { id: 'two', source: 'authored', threads: 1, turns: 1 },
    ]);
    expect(await (await chat('ping')).json()).toMatchObject({ choices: [{ message: { content: 'pong 2' } }] });
    expect(await (await chat('ping', 'cassette:one')).json()).toMatchObject({ choices: [{ message: { content: 'pong' } }] });
    await call('POST', '/_admin/cassettes?replace=true', { id: 'three', user: 'ping', turns: [{ content: 'pong 3' }] });
    expect(sim.cassettes().map((c) => c.id)).toEqual(['three']);
    await call('DELETE', '/_admin/cassettes');
    expect((await chat('ping')).status).toBe(404);
  });

  it('loads from a path and says when the path is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lm-sim-admin-'));
    try {
      await writeFile(join(dir, 'p.yaml'), 'id: from-path\nuser: ping\nturns:\n  - content: pong\n');
      expect((await call('POST', '/_admin/cassettes', { path: dir })).body.loaded).toEqual(['from-path']);
      const missing = await call('POST', '/_admin/cassettes', { path: join(dir, 'nope') });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ error: { code: 'EVL_ERR_SIM_BAD_REQUEST', message: expect.stringContaining('nope') } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an invalid cassette with its code', async () => {
    const res = await call('POST', '/_admin/cassettes', { id: 'bad', threads: [] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'EVL_ERR_SIM_CASSETTE_INVALID' } });
  });

  it('sets, reads and clears faults; reports stats', async () => {
    await call('POST', '/_admin/cassettes', { id: 'p', user: 'ping', turns: [{ content: 'pong' }] });
    expect((await call('POST', '/_admin/faults', { failNext: 1, errorStatus: 500 })).body.faults).toMatchObject({ failNext: 1, errorStatus: 500 });
    expect((await call('POST', '/_admin/faults', { errorRate: 3 })).status).toBe(400);
    expect((await call('GET', '/_admin/faults')).body).toMatchObject({ failNextRemaining: 1 });
    await call('DELETE', '/_admin/stats');
    expect((await chat('ping')).status).toBe(500);
    expect((await chat('ping')).status).toBe(200);
    expect((await chat('nobody')).status).toBe(404);
    expect((await call('GET', '/_admin/stats')).body).toMatchObject({ requests: 3, served: 1, misses: 1, faults: { failNext: 1, errors: 1 }, byCassette: { p: 1 } });
    await call('POST', '/_admin/faults', { hang: true });
    await call('POST', '/_admin/clear');
    expect(sim.faults()).toMatchObject({ hang: false, failNext: 0 });
    expect(sim.cassettes()).toEqual([]);
  });

  it('answers bad requests and unknown routes with OpenAI-style errors', async () => {
    const bad = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'EVL_ERR_SIM_BAD_REQUEST', type: 'invalid_request_error' } });
    const empty = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{"model":"x","messages":[]}' });
    expect(empty.status).toBe(400);
    expect((await call('GET', '/nowhere')).status).toBe(404);
  });
});
