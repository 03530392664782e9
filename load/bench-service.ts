import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { DestinationStream } from 'pino';
import { startSimulator } from '../evals/sim/index.js';
import { buildServer, loadConfig } from '../agent/src/index.js';

// `npm run bench:service [-- --duration 10 --connections 50]`: /v1/chat (one tool call, simulator at zero latency)
// beside a bare fastify route, same process, same run; prints req/s, p50/p99 and the ratio. Not a test.

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length - 1; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const duration = Number(args.get('duration') ?? 10);
const connections = Number(args.get('connections') ?? 50);

const cassette = {
  id: 'bench:one-tool',
  threads: [
    {
      agent: 'LuminaMind',
      user: 'List the files in my workspace',
      turns: [{ tool_calls: [{ name: 'list_directory', arguments: { dir_path: '.' } }] }, { content: 'Your workspace has no files yet.' }],
    },
  ],
};

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function run(name: string, url: string, body: string): Promise<Row> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json' },
    body,
  });
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const discard: DestinationStream = new Writable({ write: (_c, _e, done) => done() }) as unknown as DestinationStream;

const sim = await startSimulator({ cassettes: cassette });
const root = await mkdtemp(join(tmpdir(), 'lm-bench-'));
const config = loadConfig({
  OPENAI_BASE_URL: sim.url,
  OPENAI_API_KEY: 'bench',
  LLM_MODEL: 'sim-model',
  WORKSPACE_ROOT: root,
  AUTH: 'none',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
});
const service = await buildServer(config, { logStream: discard });
const serviceUrl = await service.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify();
bare.post('/bare', async (request) => ({ ok: true, echo: request.body }));
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

try {
  process.stderr.write(`bench: ${connections} connections, ${duration} s each\n`);
  const bareRow = await run('bare fastify route', `${bareUrl}/bare`, JSON.stringify({ message: 'List the files in my workspace' }));
  const chatRow = await run('POST /v1/chat (1 tool)', `${serviceUrl}/v1/chat`, JSON.stringify({ message: 'List the files in my workspace' }));
  const rows = [bareRow, chatRow];
  console.log('| target | req/s | p50 ms | p99 ms | 2xx | non-2xx | errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.non2xx} | ${r.errors} |`);
  console.log(`\nratio chat/bare req/s: ${(chatRow.rps / bareRow.rps).toFixed(4)} (the bare route serves ${(bareRow.rps / Math.max(chatRow.rps, 1)).toFixed(0)}x more); p50 ${chatRow.p50} ms vs ${bareRow.p50} ms, p99 ${chatRow.p99} ms vs ${bareRow.p99} ms`);
  console.log(`simulator: ${JSON.stringify({ served: sim.stats().served, misses: sim.stats().misses })}`);
} finally {
  await service.close();
  await bare.close();
  await sim.close();
  await rm(root, { recursive: true, force: true });
}
