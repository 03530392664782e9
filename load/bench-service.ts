import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../evals/sim/index.js';
import { benchThroughput, throughputOptions } from './bench-throughput.js';
import { processCpuMs } from './process-cpu.js';
import { startServiceProcess } from './service-process.js';

// `npm run bench:service [-- --requests 300 --warmup 400 --concurrency 4 --profile DIR]`: CPU per request of the
// service process (read from /proc/<pid>/stat, so a busy machine does not skew it) for a one-tool `/v1/chat` and a
// plain `/v1/chat`, beside the anchor: a bare LangGraph ReAct graph (createReactAgent + ChatOpenAI + MemorySaver)
// making the same two model calls against the same simulator, in its own process, in the same run. Not a test.
// `--profile DIR` starts the service with `--cpu-prof` (the profile is written when it exits).

const USER_TOOL = 'List the files in my workspace';
const USER_PLAIN = 'Say hello';
const TOOL_CALL = { name: 'list_directory', arguments: { dir_path: '.' } };
const ANSWER_TOOL = 'Your workspace has no files yet.';
const ANSWER_PLAIN = 'Hello! How can I help you today?';

const cassettes = [
  { id: 'bench:one-tool', threads: [{ agent: '*', user: USER_TOOL, turns: [{ tool_calls: [TOOL_CALL] }, { content: ANSWER_TOOL }] }] },
  { id: 'bench:plain', threads: [{ agent: '*', user: USER_PLAIN, turns: [{ content: ANSWER_PLAIN }] }] },
];

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length - 1; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const requests = Number(args.get('requests') ?? 300);
// 400 warm-up requests (service and anchor alike): after 60 the service was still compiling its hot paths, and
// the optimising compiler's CPU, read from /proc with the rest, put 3-5 ms on every measured one-tool request.
const warmup = Number(args.get('warmup') ?? 400);
const concurrency = Number(args.get('concurrency') ?? 4);
const profileDir = args.get('profile');

/** `total` calls of `one`, `concurrency` at a time. */
async function closedLoop(total: number, parallel: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) await one(next++);
    }),
  );
}

// ---- the anchor, run as a child process of this script ----------------------------------------------------
async function anchorChild(simUrl: string, workspace: string): Promise<void> {
  const [{ ChatOpenAI }, { createReactAgent }, { MemorySaver }, { tool }, { z }] = await Promise.all([
    import('@langchain/openai'),
    import('@langchain/langgraph/prebuilt'),
    import('@langchain/langgraph'),
    import('@langchain/core/tools'),
    import('zod'),
  ]);
  const listDirectory = tool(async ({ dir_path }: { dir_path: string }) => (await readdir(join(workspace, dir_path))).join('\n') || '(empty)', {
    name: 'list_directory',
    description: 'List the entries of a directory of the workspace',
    schema: z.object({ dir_path: z.string() }),
  });
  const model = new ChatOpenAI({ model: 'sim-model', apiKey: 'bench', configuration: { baseURL: simUrl }, temperature: 0.7 });
  const graph = createReactAgent({ llm: model, tools: [listDirectory], checkpointer: new MemorySaver(), prompt: 'You are a bare ReAct agent.' });
  let failures = 0;
  const one = async (i: number) => {
    const state = await graph.invoke({ messages: [{ role: 'user', content: USER_TOOL }] }, { configurable: { thread_id: `anchor-${i}` } });
    const last = state.messages.at(-1);
    if (last?.content !== ANSWER_TOOL) failures++;
  };
  await closedLoop(warmup, concurrency, (i) => one(-1 - i));
  const before = processCpuMs('self');
  const started = performance.now();
  await closedLoop(requests, concurrency, one);
  const cpuMs = processCpuMs('self') - before;
  process.stdout.write(`${JSON.stringify({ cpuMs, wallMs: performance.now() - started, failures })}\n`);
}

async function runAnchor(simUrl: string, workspace: string): Promise<{ cpuMs: number; wallMs: number; failures: number }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--anchor-child', simUrl, '--workspace', workspace, '--requests', String(requests), '--warmup', String(warmup), '--concurrency', String(concurrency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`anchor exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as { cpuMs: number; wallMs: number; failures: number };
}

// ---- the service -------------------------------------------------------------------------------------------
interface Row {
  name: string;
  cpuMsPerRequest: number;
  wallMs: number;
  failures: number;
}

async function main(): Promise<void> {
  const sim = await startSimulator({ cassettes });
  const root = await mkdtemp(join(tmpdir(), 'lm-bench-'));
  const svc = await startServiceProcess(
    {
      OPENAI_BASE_URL: sim.url,
      OPENAI_API_KEY: 'bench',
      LLM_MODEL: 'sim-model',
      WORKSPACE_ROOT: root,
      AUTH: 'none',
      LOG_LEVEL: 'info',
      RATE_LIMIT_REQUESTS_PER_MIN: '1000000',
    },
    profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {},
  );
  const pid = svc.pid()!;
  const chat = async (message: string, expected: string): Promise<boolean> => {
    const res = await fetch(`${svc.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
    const body = (await res.json()) as { answer?: string };
    return res.status === 200 && body.answer === expected;
  };
  const measure = async (name: string, message: string, expected: string): Promise<Row> => {
    let failures = 0;
    await closedLoop(warmup, concurrency, async () => void (await chat(message, expected)));
    const before = processCpuMs(pid);
    const started = performance.now();
    await closedLoop(requests, concurrency, async () => {
      if (!(await chat(message, expected))) failures++;
    });
    return { name, cpuMsPerRequest: (processCpuMs(pid) - before) / requests, wallMs: performance.now() - started, failures };
  };
  try {
    process.stderr.write(`bench: ${requests} requests after ${warmup} warm-up, ${concurrency} at a time, simulator at zero latency\n`);
    const oneTool = await measure('POST /v1/chat, one tool (2 model calls)', USER_TOOL, ANSWER_TOOL);
    const plain = await measure('POST /v1/chat, plain answer (1 model call)', USER_PLAIN, ANSWER_PLAIN);
    const anchorRun = await runAnchor(sim.url, root);
    const anchor: Row = { name: 'bare LangGraph ReAct (ChatOpenAI, MemorySaver), one tool', cpuMsPerRequest: anchorRun.cpuMs / requests, wallMs: anchorRun.wallMs, failures: anchorRun.failures };
    console.log('| target | CPU ms / request | wall s | failures |');
    console.log('|---|---|---|---|');
    for (const r of [oneTool, plain, anchor]) console.log(`| ${r.name} | ${r.cpuMsPerRequest.toFixed(2)} | ${(r.wallMs / 1000).toFixed(1)} | ${r.failures} |`);
    console.log(`\nratio one-tool /v1/chat ÷ bare graph: ${(oneTool.cpuMsPerRequest / anchor.cpuMsPerRequest).toFixed(2)}x`);
    console.log('goals: one-tool ≤ 10 ms and ≤ 1.0x the bare graph; plain ≤ 5 ms');
    console.log(`simulator: ${JSON.stringify({ served: sim.stats().served, misses: sim.stats().misses })}`);
  } finally {
    await svc.close();
    await sim.close();
    await rm(root, { recursive: true, force: true });
  }
}

const anchorAt = process.argv.indexOf('--anchor-child');
if (anchorAt >= 0) await anchorChild(process.argv[anchorAt + 1]!, args.get('workspace')!);
else {
  // --throughput yes|no|only: issue 13 item 6, rate vs C/L and the baseline profile on the bundle (bench-throughput.ts).
  const throughput = args.get('throughput') ?? 'yes';
  if (throughput !== 'only') await main();
  if (throughput !== 'no') await benchThroughput(throughputOptions(args));
}
