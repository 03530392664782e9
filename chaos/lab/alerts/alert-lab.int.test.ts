import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'vitest';
import { startAlertLab, type AlertLab } from './watch-alert.js';

// One Prometheus serves a whole chaos run (startAlertLab): each drill must be judged on its own services only. A
// service that answers 5xx but belongs to an earlier drill must not make the next drill's silent HighErrorRate fire;
// the twin lists that service among the drill's targets and the same check reports the violation.

const HAVE_PROMETHEUS = spawnSync('prometheus', ['--version']).status === 0;

interface FakeService {
  url: string;
  failing: boolean;
  close(): Promise<void>;
}

/** Seconds since the call, for a drill's timeline. */
function clock(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started) / 1000;
}

/** A stand-in service: /metrics with request counters that grow every 100 ms, 5xx among them while `failing`. */
async function fakeService(): Promise<FakeService> {
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

/** A lab whose first drill scraped a service (`earlier`) and ended; the next drill's own healthy service (`own`). */
async function afterAnEarlierDrill(lab: AlertLab): Promise<{ earlier: FakeService; own: FakeService; close(): Promise<void> }> {
  const earlier = await fakeService();
  const own = await fakeService();
  const close = async () => {
    await lab.close();
    await earlier.close();
    await own.close();
  };
  try {
    const watch = await lab.watch({ expectation: { name: 'HighErrorRate', expect: 'silent' }, now: clock() });
    await watch.announce([earlier.url]);
    await watch.baseline();
    await watch.close();
    return { earlier, own, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** One drill's alert check on `lab`: baseline, a fault of `faultMs` (with `during` while it lasts), then the verdict. */
async function drill(lab: AlertLab, targets: string[], faultMs: number, during: (on: boolean) => void = () => {}) {
  const now = clock();
  const watch = await lab.watch({ expectation: { name: 'HighErrorRate', expect: 'silent' }, now });
  await watch.announce(targets);
  await watch.baseline();
  const injectedAt = now();
  during(true);
  await sleep(faultMs);
  during(false);
  return watch.finish({ injectedAt, healedAt: now() });
}

// The check and its twin run side by side, each on a lab (a Prometheus) and services of its own: one after the other
// they took 57 s, mostly waiting for Prometheus's target ticks and the rule's window and `for`.
describe.skipIf(!HAVE_PROMETHEUS)('one Prometheus for a run of drills', () => {
  it.concurrent('judges each drill on its own targets: a failing service of an earlier drill is out of the verdict', async ({ expect }) => {
    const lab = startAlertLab();
    const { earlier, own, close } = await afterAnEarlierDrill(lab);
    try {
      // The earlier drill's service fails from now on; the next drill scrapes only its own healthy service: its silent
      // alert stays silent, on its 2 series alone.
      earlier.failing = true;
      const verdict = await drill(lab, [own.url], 1_000);
      expect(verdict.status, JSON.stringify(verdict)).toBe('stayed-silent');
      expect(verdict.evidence?.series).toEqual({ luminamind_requests_total: 2 });
    } finally {
      await close();
    }
  }, 150_000);

  it.concurrent('the twin: the earlier drill\'s service left among the targets, failing during the fault, is seen', async ({ expect }) => {
    const lab = startAlertLab();
    const { earlier, own, close } = await afterAnEarlierDrill(lab);
    try {
      // HighErrorRate: 5 s window, `for` 5 s: an 8 s fault is long enough to fire.
      const verdict = await drill(lab, [own.url, earlier.url], 8_000, (on) => (earlier.failing = on));
      expect(verdict).toMatchObject({ status: 'violated', reason: expect.stringMatching(/expected to stay silent but fired/) });
    } finally {
      await close();
    }
  }, 150_000);
});
