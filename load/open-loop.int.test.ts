import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intendedSendTimes, mixOrder, runOpenLoop, type OpenLoopRequest } from './open-loop.js';
import { percentile } from '../evals/report/index.js';

// The send-lag bound is what tells an open-loop sender from one that waits for answers: an open-loop sender lags by
// event-loop delay only, tens of ms on a quiet machine but 75 ms in a fresh-clone `npm test` and 102 ms in a gate whose
// tests ran beside the scan and the eval on 2 cores, while a sender that waited for one answer lags by a whole
// response, 1.5 s here. A third of a response tells the two apart on a busy machine too.
const SLOW_RESPONSE_MS = 1_500;
const OPEN_LOOP_MAX_LAG_MS = SLOW_RESPONSE_MS / 3;

const open = new Set<ServerResponse>();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  open.add(res);
  res.on('close', () => open.delete(res));
  const route = req.url ?? '';
  const reply = (status: number, body: string) => {
    if (!res.writableEnded) res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  };
  // Slower than the send interval by far: a closed-loop sender with few connections would fall behind here.
  if (route === '/slow') setTimeout(() => reply(200, 'slow'), SLOW_RESPONSE_MS);
  else if (route === '/hang') setTimeout(() => reply(200, 'too late'), 5_000);
  else if (route === '/fail') reply(503, 'unavailable');
  else if (route === '/sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: run_started\ndata: {}\n\n');
    setTimeout(() => res.end('event: error\ndata: {"status":500}\n\n'), 200);
  } else reply(200, 'ok');
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

const get = (scenario: string, path: string, stream = false): OpenLoopRequest => ({ scenario, method: 'GET', path, headers: {}, stream });

describe('schedule helpers', () => {
  it('spaces intended send times by 1 / rate over the window', () => {
    expect(intendedSendTimes(10, 3)).toHaveLength(30);
    expect(intendedSendTimes(4, 1.5)).toEqual([0, 250, 500, 750, 1000, 1250]);
  });

  it('draws the mix in seeded rounds that each hold every entry once', () => {
    const order = mixOrder(12, 4, 7);
    for (let round = 0; round < 3; round++) expect([...order.slice(round * 4, round * 4 + 4)].sort()).toEqual([0, 1, 2, 3]);
    expect(mixOrder(12, 4, 7)).toEqual(order);
    expect(mixOrder(12, 4, 8)).not.toEqual(order);
  });
});

// One after another (12 s, nearly all of it waiting for the slow and hanging routes), so each sender has the event loop
// to itself (OPEN_LOOP_MAX_LAG_MS).
describe('runOpenLoop against a slow endpoint', () => {
  it('keeps 10 req/s for 3 s while every response takes 1.5 s, measuring from the intended send time', async () => {
    const result = await runOpenLoop({ url, rate: 10, durationSeconds: 3, timeoutMs: 4_000, requests: [get('slow', '/slow')] });
    expect(result.records).toHaveLength(30);
    const lags = result.records.map((r) => r.sendLagMs).sort((a, b) => a - b);
    expect(percentile(lags, 99)).toBeLessThan(OPEN_LOOP_MAX_LAG_MS);
    expect(result.sentRate).toBeGreaterThan(9.5);
    expect(result.sentRate).toBeLessThan(10.5);
    // 1.5 s per response at 10 req/s needs ~15 connections at once; they opened on demand, none was waited for.
    expect(result.peakInFlight).toBeGreaterThanOrEqual(14);
    expect(result.capHits).toBe(0);
    for (const r of result.records) {
      expect(r.outcome).toBe('ok');
      expect(r.latencyMs).toBeGreaterThanOrEqual(SLOW_RESPONSE_MS - 10);
      expect(r.latencyMs).toBeLessThan(SLOW_RESPONSE_MS + OPEN_LOOP_MAX_LAG_MS + 100);
    }
  }, 15_000);

  it('counts waiting for a connection at the cap as latency and as saturation', async () => {
    const result = await runOpenLoop({ url, rate: 10, durationSeconds: 0.5, timeoutMs: 10_000, maxConnections: 2, requests: [get('slow', '/slow')] });
    expect(result.capHits).toBeGreaterThan(0);
    expect(result.peakInFlight).toBeGreaterThan(2);
    // Five requests on two connections: the last (intended at 0.4 s) waited two 1.5 s rounds, and its latency shows it.
    const last = result.records.at(-1)!;
    expect(last.latencyMs).toBeGreaterThan(4_000);
    expect(last.sendLagMs).toBeLessThan(OPEN_LOOP_MAX_LAG_MS);
  }, 15_000);

  it('classifies timeouts, non-2xx, an SSE stream that ends in an error event, and errors', async () => {
    const requests = [get('hang', '/hang'), get('fail', '/fail'), get('sse', '/sse', true), get('ok', '/ok')];
    const result = await runOpenLoop({ url, rate: 8, durationSeconds: 1, timeoutMs: 800, requests, seed: 3 });
    const by = (scenario: string) => result.records.filter((r) => r.scenario === scenario);
    expect(by('hang').every((r) => r.outcome === 'timeout' && r.latencyMs >= 790 && r.latencyMs < 1_200)).toBe(true);
    expect(by('fail').every((r) => r.outcome === 'non2xx' && r.status === 503)).toBe(true);
    expect(by('sse').every((r) => r.outcome === 'non2xx' && r.ttfbMs! < r.latencyMs && r.latencyMs >= 190)).toBe(true);
    expect(by('ok').every((r) => r.outcome === 'ok')).toBe(true);
    expect(result.records).toHaveLength(8);

    const refused = await runOpenLoop({ url: 'http://127.0.0.1:1', rate: 4, durationSeconds: 0.5, timeoutMs: 1_000, requests: [get('ok', '/ok')] });
    expect(refused.records.every((r) => r.outcome === 'error' && r.error === 'ECONNREFUSED')).toBe(true);
  }, 15_000);
});
