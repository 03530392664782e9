import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator } from '../evals/sim/index.js';
import { startServiceProcess } from './service-process.js';

// `npm run soak:memory [-- --warmup 20 --first 500 --further 2000 --concurrency 4 --max-threads N]`: the service as
// its own process in embedded mode (no Redis, in-memory stores), simulator at zero latency, every request a new
// thread (one-tool and plain answers alternating). Prints RSS (from /proc/<pid>/status) idle after start, after the
// warm-up, after `first` more requests and after `further` more, the growth over the last stretch (goal ≤ 10 %),
// the workspace folders left on disk and the evictions counted. Not a test.

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length - 1; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const warmup = Number(args.get('warmup') ?? 20);
const first = Number(args.get('first') ?? 500);
const further = Number(args.get('further') ?? 2000);
const concurrency = Number(args.get('concurrency') ?? 4);
const maxThreads = args.get('max-threads');

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

const sim = await startSimulator({ cassettes });
const root = await mkdtemp(join(tmpdir(), 'lm-soak-'));
const svc = await startServiceProcess({
  OPENAI_BASE_URL: sim.url,
  OPENAI_API_KEY: 'soak',
  LLM_MODEL: 'sim-model',
  WORKSPACE_ROOT: root,
  AUTH: 'none',
  LOG_LEVEL: 'info',
  RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
  ...(maxThreads ? { CHECKPOINT_MEMORY_MAX_THREADS: maxThreads } : {}),
});
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

try {
  await sleep(2_000);
  const rows: { at: string; requests: number; rss: number; peak: number }[] = [];
  const mark = (at: string) => rows.push({ at, requests: sent, ...rssMb(pid) });
  mark('idle after start');
  await load(warmup);
  mark('after warm-up');
  await load(first);
  mark(`after ${first} more`);
  const base = rows.at(-1)!.rss;
  await load(further);
  mark(`after ${further} more`);
  await sleep(2_000);
  mark('idle 2 s later');
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  const evictions = [...metrics.matchAll(/^luminamind_store_evictions_total\{([^}]*)\} (\d+)/gm)].map((m) => `${m[1]}: ${m[2]}`);
  const folders = (await readdir(root)).length;

  console.log('| point | requests | RSS MB | peak RSS MB |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.at} | ${r.requests} | ${r.rss.toFixed(0)} | ${r.peak.toFixed(0)} |`);
  const growth = ((rows[3]!.rss - base) / base) * 100;
  console.log(`\nRSS growth over the last ${further} requests: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % (goal ≤ 10 %); idle RSS ${rows[0]!.rss.toFixed(0)} MB (goal ≤ 200 MB)`);
  console.log(`workspace folders on disk: ${folders} for ${sent} threads; failures: ${failures}`);
  console.log(`evictions: ${evictions.join(', ') || 'none'}`);
} finally {
  await svc.close();
  await sim.close();
  await rm(root, { recursive: true, force: true });
}
