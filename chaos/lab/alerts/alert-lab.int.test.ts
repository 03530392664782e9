import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startAlertLab, type AlertWatch } from './watch-alert.js';

// One Prometheus serves a whole chaos run (startAlertLab): each drill must be judged on its own services only. A
// service that answers 5xx but belongs to an earlier drill must not make the next drill's silent HighErrorRate fire;
// the twin lists that service among the drill's targets and the same check reports the violation.

const HAVE_PROMETHEUS = spawnSync('prometheus', ['--version']).status === 0;

/** A stand-in service: /metrics with request counters that grow every 100 ms, 5xx among them while `failing`. */
async function fakeService(): Promise<{ url: string; failing: boolean; close(): Promise<void> }> {
  const state = { ok: 0, errors: 0 };
  const service = { url: '', failing: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(
      ['# TYPE luminamind_requests_total counter', `luminamind_requests_total{method="POST",endpoint="/v1/chat",status="200"} ${state.ok}`, `luminamind_requests_total{method="POST",endpoint="/v1/chat",status="500"} ${state.errors}`, ''].join('\n'),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const traffic = setInterval(() => {
    state.ok += 10;
    if (service.failing) state.errors += 5;
  }, 100);
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = async () => {
    clearInterval(traffic);
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  };
  return service;
}

describe.skipIf(!HAVE_PROMETHEUS)('one Prometheus for a run of drills', () => {
  it('judges each drill on its own targets: a failing service of an earlier drill is out of the verdict, and in it when listed', async () => {
    const started = performance.now();
    const now = () => Math.round(performance.now() - started) / 1000;
    const lab = startAlertLab();
    const first = await fakeService();
    const second = await fakeService();
    /** One drill's alert check: baseline, a fault of `faultMs` (with `during` while it lasts), then the verdict. */
    const drill = async (watch: AlertWatch, targets: string[], faultMs: number, during: (on: boolean) => void) => {
      await watch.announce(targets);
      await watch.baseline();
      const injectedAt = now();
      during(true);
      await sleep(faultMs);
      during(false);
      return watch.finish({ injectedAt, healedAt: now() });
    };
    try {
      // A first drill scrapes its service, then ends (its targets are taken out); that service starts failing.
      const earlier = await lab.watch({ expectation: { name: 'HighErrorRate', expect: 'silent' }, now });
      await earlier.announce([first.url]);
      await earlier.baseline();
      await earlier.close();
      first.failing = true;
      // The next drill scrapes only its own healthy service: its silent alert stays silent, on its 2 series alone.
      const own = await drill(await lab.watch({ expectation: { name: 'HighErrorRate', expect: 'silent' }, now }), [second.url], 1_000, () => {});
      expect(own.status, JSON.stringify(own)).toBe('stayed-silent');
      expect(own.evidence?.series).toEqual({ luminamind_requests_total: 2 });
      // Twin: the earlier drill's service left among the targets, failing during the fault, is seen: the check fails.
      // (HighErrorRate: 5 s window, `for` 5 s: an 8 s fault is long enough to fire.)
      first.failing = false;
      const leaked = await drill(await lab.watch({ expectation: { name: 'HighErrorRate', expect: 'silent' }, now }), [second.url, first.url], 8_000, (on) => (first.failing = on));
      expect(leaked).toMatchObject({ status: 'violated', reason: expect.stringMatching(/expected to stay silent but fired/) });
    } finally {
      await lab.close();
      await first.close();
      await second.close();
    }
  }, 150_000);
});
