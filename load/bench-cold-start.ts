import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from './process-cpu.js';
import { freeLoopbackPort, SERVICE_ENTRY_FILES } from './service-process.js';

// `npm run bench:cold-start [-- --runs 5]`: start the service until /health answers, `runs` times each for the
// bundle (dist/service.mjs, what the image runs; `npm run build` first) and the development entry (bin/luminamind,
// TypeScript through tsx: the anchor), interleaved. Prints wall ms to /health (goal ≤ 1.5 s for the bundle; it
// stretches on a busy machine), the CPU the process used until then (from /proc, barely moved by other load), RSS at
// that point, and the same for `serve --help` (which must stay fast: it loads none of the service). Not a test.

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length - 1; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const runs = Number(args.get('runs') ?? 5);

const ENTRIES = { bundle: resolve(SERVICE_ENTRY_FILES.bundle), tsx: resolve(SERVICE_ENTRY_FILES.source) } as const;
type EntryName = keyof typeof ENTRIES;
if (!existsSync(ENTRIES.bundle)) {
  process.stderr.write(`bench:cold-start: ${SERVICE_ENTRY_FILES.bundle} is missing; run \`npm run build\` first\n`);
  process.exit(2);
}

interface Start {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
}

async function coldStart(entry: string, workspace: string): Promise<Start> {
  const port = await freeLoopbackPort();
  const started = performance.now();
  // A model endpoint that is never called: /health does not reach the model.
  const env = { HOST: '127.0.0.1', PORT: String(port), AUTH: 'none', LOG_LEVEL: 'warn', WORKSPACE_ROOT: workspace, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'cold', LLM_MODEL: 'cold' };
  const child = spawn(process.execPath, [entry, 'serve'], { env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before /health answered`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) break;
      await sleep(10);
    }
    const wallMs = performance.now() - started;
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    return { wallMs, cpuMs: processCpuMs(child.pid!), rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGKILL');
  }
}

/** CPU (ms) of this process's children that have exited and been waited for: cutime + cstime of /proc/self/stat. */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** `node <entry> serve --help` to exit: wall and CPU (CPU at the kernel's 10 ms tick). */
function help(entry: string): Start {
  const cpuBefore = reapedChildrenCpuMs();
  const started = performance.now();
  const run = spawnSync(process.execPath, [entry, 'serve', '--help'], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`${entry} serve --help exited with ${run.status}`);
  return { wallMs: performance.now() - started, cpuMs: reapedChildrenCpuMs() - cpuBefore, rssMb: Number.NaN };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const workspace = await mkdtemp(join(tmpdir(), 'lm-cold-'));
try {
  const names = Object.keys(ENTRIES) as EntryName[];
  const starts: Record<EntryName, Start[]> = { bundle: [], tsx: [] };
  const helps: Record<EntryName, Start[]> = { bundle: [], tsx: [] };
  for (let i = 0; i < runs; i++) {
    for (const name of names) starts[name].push(await coldStart(ENTRIES[name], workspace));
    for (const name of names) helps[name].push(help(ENTRIES[name]));
  }
  console.log(`cold start to /health, ${runs} runs each, interleaved (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
  console.log('| entry | wall ms median (min–max) | CPU ms median (min–max) | RSS MB median | `serve --help` wall ms | `serve --help` CPU ms |');
  console.log('|---|---|---|---|---|---|');
  for (const name of names) {
    const rows = starts[name];
    console.log(`| ${name} | ${range(rows.map((r) => r.wallMs))} | ${range(rows.map((r) => r.cpuMs))} | ${median(rows.map((r) => r.rssMb)).toFixed(0)} | ${median(helps[name].map((r) => r.wallMs)).toFixed(0)} | ${median(helps[name].map((r) => r.cpuMs)).toFixed(0)} |`);
  }
  const cpuRatio = median(starts.bundle.map((r) => r.cpuMs)) / median(starts.tsx.map((r) => r.cpuMs));
  console.log(`bundle / tsx, CPU to /health: ${cpuRatio.toFixed(2)}×`);
  console.log(`bundle: ${median(starts.bundle.map((r) => r.wallMs)) <= 1500 ? 'meets' : 'misses'} the 1.5 s goal (median wall)`);
} finally {
  await rm(workspace, { recursive: true, force: true });
}
