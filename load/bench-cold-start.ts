import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from '../evals/report/index.js';
import { processCpuMs } from './process-cpu.js';
import { scriptFlags } from './script-flags.js';
import { bundleServiceToTemp } from './service-bundle.js';
import { freeLoopbackPort, SERVICE_ENTRY_FILES } from './service-process.js';

// Cold start of the service to its first /health answer, `runs` times each for the bundle (what the image runs) and
// the development entry (bin/luminamind, TypeScript through tsx: the anchor), interleaved. Prints wall ms to /health
// (goal ≤ 1.5 s for the bundle; it stretches on a busy machine), the CPU the process used until then (from /proc,
// barely moved by other load), RSS at that point, and the same for `serve --help` (which must stay fast: it loads none
// of the service). Run by `npm run bench:cold-start` and as part 3 of `npm run bench:service`. Not a test.

/** Goal of issue 13, item 3: wall time from start to the first /health answer of the bundle. */
const COLD_START_GOAL_MS = 1_500;

type EntryName = 'bundle' | 'tsx';

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

const range = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

/**
 * Measures and prints the cold starts of `bundleFile` (a built service.mjs) beside the tsx entry of this checkout;
 * resolves true when the bundle's median wall time to /health meets the goal.
 *
 * @example
 *   const bundle = await bundleServiceToTemp();
 *   await benchColdStart({ bundleFile: bundle.entryFile, runs: 5 });
 */
export async function benchColdStart(options: { bundleFile: string; runs: number; log?: (line: string) => void }): Promise<boolean> {
  const log = options.log ?? console.log;
  const entries: Record<EntryName, string> = { bundle: options.bundleFile, tsx: resolve(SERVICE_ENTRY_FILES.source) };
  const workspace = await mkdtemp(join(tmpdir(), 'lm-cold-'));
  try {
    const names = Object.keys(entries) as EntryName[];
    const starts: Record<EntryName, Start[]> = { bundle: [], tsx: [] };
    const helps: Record<EntryName, Start[]> = { bundle: [], tsx: [] };
    for (let i = 0; i < options.runs; i++) {
      for (const name of names) starts[name].push(await coldStart(entries[name], workspace));
      for (const name of names) helps[name].push(help(entries[name]));
    }
    log(`\ncold start to /health, ${options.runs} runs each, interleaved (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
    log('| entry | wall ms median (min–max) | CPU ms median (min–max) | RSS MB median | `serve --help` wall ms | `serve --help` CPU ms |');
    log('|---|---|---|---|---|---|');
    for (const name of names) {
      const rows = starts[name];
      log(`| ${name} | ${range(rows.map((r) => r.wallMs))} | ${range(rows.map((r) => r.cpuMs))} | ${median(rows.map((r) => r.rssMb)).toFixed(0)} | ${median(helps[name].map((r) => r.wallMs)).toFixed(0)} | ${median(helps[name].map((r) => r.cpuMs)).toFixed(0)} |`);
    }
    const cpuRatio = median(starts.bundle.map((r) => r.cpuMs)) / median(starts.tsx.map((r) => r.cpuMs));
    log(`bundle / tsx, CPU to /health: ${cpuRatio.toFixed(2)}×`);
    const met = median(starts.bundle.map((r) => r.wallMs)) <= COLD_START_GOAL_MS;
    log(`goal: bundle cold start to /health ≤ ${COLD_START_GOAL_MS / 1000} s, median wall (${met ? 'met' : 'NOT met'})`);
    return met;
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

// `npm run bench:cold-start [-- --runs 5]`: the bundle built from the current sources into a temp folder, as
// bench:service does, so no `npm run build` is needed and an old dist/ is never what is measured.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const usage = 'usage: npm run bench:cold-start -- [--runs N]';
  const help = `${usage}\n\nStarts the service until /health answers, N times (default 5) each for the bundle (built from the current\nsources into a temp folder) and the tsx entry, interleaved; prints wall ms, CPU ms and RSS to /health and the\nsame for \`serve --help\`. Goal: the bundle's median wall time <= 1.5 s. Exit: 0 met, 1 not met, 2 usage.`;
  const runs = scriptFlags(['runs'], usage, help).positiveInt('runs', 5);
  const bundle = await bundleServiceToTemp();
  try {
    if (!(await benchColdStart({ bundleFile: bundle.entryFile, runs }))) process.exitCode = 1;
  } finally {
    await bundle.close();
  }
}
