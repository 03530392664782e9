import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  url: string;
  /** Which backends the health check currently routes to. */
  healthy(): boolean[];
  close(): Promise<void>;
}

/**
 * A small round-robin HTTP balancer on 127.0.0.1 (the local stand-in for a Kubernetes Service): with health checks
 * it probes each backend's /health every intervalMs and skips the failing ones; without, it routes blindly.
 */
export async function startBalancer(backends: readonly string[], options: { healthChecks: boolean; intervalMs?: number }): Promise<Balancer> {
  const healthy = backends.map(() => true);
  let next = 0;
  const pick = (): string | undefined => {
    for (let i = 0; i < backends.length; i++) {
      const idx = (next + i) % backends.length;
      if (!options.healthChecks || healthy[idx]) {
        next = idx + 1;
        return backends[idx];
      }
    }
    return undefined;
  };
  const proxy = (req: IncomingMessage, res: ServerResponse) => {
    const target = pick();
    if (!target) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'LB_NO_BACKEND', message: 'no healthy backend' } }));
      return;
    }
    const url = new URL(req.url ?? '/', target);
    const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'LB_BAD_GATEWAY', message: err.message } }));
      else res.destroy();
    });
    req.pipe(upstream);
  };
  const server: Server = createServer(proxy);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const check = async () => {
    await Promise.all(
      backends.map(async (b, i) => {
        try {
          healthy[i] = (await fetch(`${b}/health`, { signal: AbortSignal.timeout(400) })).ok;
        } catch {
          healthy[i] = false;
        }
      }),
    );
  };
  const timer = options.healthChecks ? setInterval(() => void check(), options.intervalMs ?? 250) : undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    healthy: () => [...healthy],
    async close() {
      if (timer) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
