import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startRedis } from './redis-server.js';
import { startSimulator } from '../evals/sim/index.js';
import { attachHeapProbe, type HeapProbe } from './inspect-heap.js';
import { scriptFlags } from './script-flags.js';
import { bundleServiceToTemp } from './service-bundle.js';
import { freeLoopbackPort, startServiceProcess } from './service-process.js';

// `npm run soak:memory` (--help lists the flags): the service as its own process in embedded mode (no Redis,
// in-memory stores), simulator at zero latency, every request a new thread (one-tool and plain answers alternating).
// Prints RSS (from /proc/<pid>/status) idle after start, after the warm-up, after `first` more requests and after
// `further` more, the growth over the last stretch (goal ≤ 10 %), the workspace folders left on disk and the
// evictions counted. Not a test.
// Each row also has the V8 heap in use right after a full GC (through the inspector, switched on by SIGUSR1 after
// the idle reading, so the idle RSS is the service's own): RSS that grows while the collected heap stays flat is
// garbage V8 has not collected yet, not state the service holds. The last row is RSS after that GC, idle.
// Redis mode (`--redis yes [--ttl 3600]`): checkpoints go to a private redis-server (a free 127.0.0.1 port, temp dir,
// killed at the end) with CHECKPOINT_TTL_SECONDS = --ttl; each row adds Redis's used_memory and key count, and the
// share of keys that carry an expiry (every one but the pruned thread index must, or Redis grows without bound;
// load/soak-redis-ttl.int.test.ts).

const USAGE =
  'usage: npm run soak:memory -- [--redis no|yes] [--ttl S] [--entry bundle|source] [--warmup N] [--first N] [--further N] [--concurrency N] [--max-threads N] [--sweep S] [--node-options FLAGS]';
const HELP = `${USAGE}

Runs the service as its own process and sends it a stream of new threads (one-tool and plain answers alternating, the
simulator at zero latency), printing RSS and the V8 heap after a full GC at each point: idle after start, after
--warmup 20, after --first 500 more and after --further 2000 more, then idle again. Goals: RSS grows <= 10 % over
the last --further requests; idle RSS <= 200 MB.
  --entry bundle    (default) the bundle built from the current sources into a temp folder, what the image runs;
                    source runs the TypeScript through tsx
  --redis yes       checkpoints in a private redis-server with CHECKPOINT_TTL_SECONDS = --ttl (default 3600)
  --max-threads N   CHECKPOINT_MEMORY_MAX_THREADS;  --sweep S  WORKSPACE_SWEEP_SECONDS
  --node-options=F  V8 flags for the service (default: those of deploy/k8s/base/deployment.yaml; '' for none)
Exit: 0 both goals met, 1 a goal not met or a request failed, 2 usage.`;
const flags = scriptFlags(['redis', 'ttl', 'entry', 'warmup', 'first', 'further', 'concurrency', 'max-threads', 'sweep', 'node-options'], USAGE, HELP);
const warmup = flags.positiveInt('warmup', 20);
const first = flags.positiveInt('first', 500);
const further = flags.positiveInt('further', 2000);
const concurrency = flags.positiveInt('concurrency', 4);
const maxThreads = flags.get('max-threads');
const redisMode = flags.oneOf('redis', ['no', 'yes'], 'no') === 'yes';
const ttlSeconds = String(flags.positiveInt('ttl', 3600));
// WORKSPACE_SWEEP_SECONDS for the service (its default, 600, when unset): with a short --ttl, a short sweep shows
// the folders of expired threads going.
const sweepSeconds = flags.get('sweep');
// V8 flags for the service process (split on spaces): by default those the Deployment runs it with, so the heap
// here sizes like a pod's, whatever this machine's memory; --node-options '' runs without any.
const nodeOptions = (flags.get('node-options') ?? deployedNodeFlags()).split(' ').filter(Boolean);
const entry = flags.oneOf('entry', ['bundle', 'source'], 'bundle');

function deployedNodeFlags(): string {
  const manifest = readFileSync(join(import.meta.dirname, '../deploy/k8s/base/deployment.yaml'), 'utf8');
  const flags = /exec node ([^\n]*?)dist\/service\.mjs serve/.exec(manifest)?.[1];
  if (flags === undefined) throw new Error('deploy/k8s/base/deployment.yaml: no `exec node [flags] dist/service.mjs serve` line to take the V8 flags from');
  return flags.trim();
}

const USER_TOOL = 'List the files in my workspace';
const USER_PLAIN = 'Say hello';
const cassettes = [
  {
    id: 'soak:one-tool',
    threads: [{ agent: '*', user: USER_TOOL, turns: [{ tool_calls: [{ name: 'list_directory', arguments: { dir_path: '.' } }] }, { content: 'Your workspace has no files yet.' }] }],
  },
  { id: 'soak:plain', threads: [{ agent: '*', user: USER_PLAIN, turns: [{ content: 'Hello! How can I help you today?' }] }] },
];

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (pattern: RegExp) => Number(pattern.exec(status)?.[1] ?? NaN);
  return { rss: kb(/^VmRSS:\s+(\d+) kB/m) / 1024, peak: kb(/^VmHWM:\s+(\d+) kB/m) / 1024 };
}

// The bundle as bench:service builds it: from the sources as they are now, so an old dist/ is never what is measured.
const bundle = entry === 'bundle' ? await bundleServiceToTemp() : undefined;
const sim = await startSimulator({ cassettes });
const root = await mkdtemp(join(tmpdir(), 'lm-soak-'));
const redis = redisMode ? await startRedis() : undefined;
const redisClient = redis ? new Redis(redis.url) : undefined;
async function redisRow(): Promise<{ redisMb?: number; keys?: number; withTtl?: number }> {
  if (!redisClient) return {};
  const info = await redisClient.info('memory');
  const keyspace = await redisClient.info('keyspace');
  const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
  return { redisMb: used / 1024 / 1024, keys: Number(/keys=(\d+)/.exec(keyspace)?.[1] ?? 0), withTtl: Number(/expires=(\d+)/.exec(keyspace)?.[1] ?? 0) };
}
const inspectPort = await freeLoopbackPort();
const svc = await startServiceProcess({
  OPENAI_BASE_URL: sim.url,
  OPENAI_API_KEY: 'soak',
  LLM_MODEL: 'sim-model',
  WORKSPACE_ROOT: root,
  AUTH: 'none',
  LOG_LEVEL: 'info',
  RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
  ...(maxThreads ? { CHECKPOINT_MEMORY_MAX_THREADS: maxThreads } : {}),
  ...(sweepSeconds ? { WORKSPACE_SWEEP_SECONDS: sweepSeconds } : {}),
  ...(redis ? { REDIS_URL: redis.url, CHECKPOINT_TTL_SECONDS: ttlSeconds } : {}),
}, { nodeArgs: [...nodeOptions, `--inspect-port=127.0.0.1:${inspectPort}`], ...(bundle ? { root: bundle.root, entry: 'bundle' as const } : {}) });
const pid = svc.pid()!;
let sent = 0;
let failures = 0;
async function load(count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const message = sent++ % 2 === 0 ? USER_TOOL : USER_PLAIN;
        const res = await fetch(`${svc.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
      }
    }),
  );
}

let probe: HeapProbe | undefined;
try {
  await sleep(2_000);
  const rows: ({ at: string; requests: number; rss: number; peak: number; folders: number; heapTotalMb?: number; externalMb?: number; heapMb: number } & Awaited<ReturnType<typeof redisRow>>)[] = [];
  const mark = async (at: string) => {
    const row = { at, requests: sent, ...rssMb(pid), folders: (await readdir(root)).length, ...(await redisRow()) };
    // The inspector is switched on after the idle reading, so the first row has no heap breakdown before its GC.
    const before = probe ? await probe.usage() : undefined;
    probe ??= await attachHeapProbe(pid, inspectPort);
    rows.push({ ...row, heapTotalMb: before?.heapTotalMb, externalMb: before?.externalMb, heapMb: (await probe.collect()).usedMb });
  };
  await mark('idle after start');
  await load(warmup);
  await mark('after warm-up');
  await load(first);
  await mark(`after ${first} more`);
  const base = rows.at(-1)!.rss;
  await load(further);
  await mark(`after ${further} more`);
  // RSS here is after the GC of the row before: what the service holds when the traffic stops.
  await sleep(2_000);
  await mark('idle, after a GC');
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  const evictions = [...metrics.matchAll(/^luminamind_store_evictions_total\{([^}]*)\} (\d+)/gm)].map((m) => `${m[1]}: ${m[2]}`);

  const redisCols = (r: (typeof rows)[number]) => (redis ? ` ${r.redisMb?.toFixed(1)} | ${r.keys} | ${r.withTtl} |` : '');
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`soak:memory, ${redis ? 'Redis' : 'embedded'} mode, ${entry} entry, concurrency ${concurrency}, node ${nodeOptions.join(' ') || '(no flags)'}, load average ${loadAverage} (at the end)`);
  const opt = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(0));
  console.log(`| point | requests | RSS MB | peak RSS MB | V8 heap reserved MB | external MB | heap used after GC MB | workspace folders |${redis ? ' Redis used MB | Redis keys | keys with TTL |' : ''}`);
  console.log(`|---|---|---|---|---|---|---|---|${redis ? '---|---|---|' : ''}`);
  for (const r of rows) console.log(`| ${r.at} | ${r.requests} | ${r.rss.toFixed(0)} | ${r.peak.toFixed(0)} | ${opt(r.heapTotalMb)} | ${opt(r.externalMb)} | ${r.heapMb.toFixed(1)} | ${r.folders} |${redisCols(r)}`);
  if (redis) console.log(`\nRedis mode: CHECKPOINT_TTL_SECONDS=${ttlSeconds}; every key but the thread index must expire (keys with TTL = keys − 1; the index, a sorted set, is pruned to the same window on every write), so Redis holds at most ${ttlSeconds} s of writes`);
  const pct = (from: number, to: number) => {
    const g = ((to - from) / from) * 100;
    return `${g >= 0 ? '+' : ''}${g.toFixed(1)} %`;
  };
  console.log(`\nRSS growth over the last ${further} requests: ${pct(base, rows[3]!.rss)} (goal ≤ 10 %); heap after GC ${pct(rows[2]!.heapMb, rows[3]!.heapMb)}`);
  console.log(`idle RSS ${rows[0]!.rss.toFixed(0)} MB after start, ${rows.at(-1)!.rss.toFixed(0)} MB after the soak and a GC (goal ≤ 200 MB)`);
  console.log(`workspace folders on disk: ${rows.at(-1)!.folders} for ${sent} threads (${sweepSeconds ?? 600} s sweep); failures: ${failures}`);
  console.log(`evictions: ${evictions.join(', ') || 'none'}`);
  const growthMet = rows[3]!.rss <= base * 1.1;
  const idleMet = rows[0]!.rss <= 200;
  console.log(`goals: RSS growth ≤ 10 % (${growthMet ? 'met' : 'NOT met'}); idle RSS ≤ 200 MB (${idleMet ? 'met' : 'NOT met'})`);
  if (!growthMet || !idleMet || failures > 0) process.exitCode = 1;
} finally {
  probe?.close();
  await svc.close();
  await sim.close();
  redisClient?.disconnect();
  await redis?.close();
  await rm(root, { recursive: true, force: true });
  await bundle?.close();
}
