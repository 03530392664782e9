import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from './process-cpu.js';
import { freeLoopbackPort } from './service-process.js';

// `npm run bench:cold-start [-- --runs 5]`: start the service until /health answers, `runs` times each for the
// compiled entry (dist/bin/service.js, what the image runs; `npm run build` first) and the development entry
// (bin/luminamind, TypeScript through tsx), interleaved. Prints wall ms to /health (goal ≤ 1.5 s for the compiled
// entry; it stretches on a busy machine), the CPU the process used until then (from /proc, barely moved by other
// load) and RSS at that point. Not a test.

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length - 1; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const runs = Number(args.get('runs') ?? 5);

const ENTRIES = { compiled: resolve('dist/bin/service.js'), tsx: resolve('bin/luminamind') } as const;
if (!existsSync(ENTRIES.compiled)) {
  process.stderr.write('bench:cold-start: dist/bin/service.js is missing; run `npm run build` first\n');
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const workspace = await mkdtemp(join(tmpdir(), 'lm-cold-'));
try {
  const results: Record<keyof typeof ENTRIES, Start[]> = { compiled: [], tsx: [] };
  for (let i = 0; i < runs; i++) for (const name of ['compiled', 'tsx'] as const) results[name].push(await coldStart(ENTRIES[name], workspace));
  console.log(`cold start to /health, ${runs} runs each, interleaved (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
  console.log('| entry | wall ms median (min–max) | CPU ms median | RSS MB median |');
  console.log('|---|---|---|---|');
  for (const [name, rows] of Object.entries(results)) {
    const wall = rows.map((r) => r.wallMs);
    console.log(`| ${name} | ${median(wall).toFixed(0)} (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}) | ${median(rows.map((r) => r.cpuMs)).toFixed(0)} | ${median(rows.map((r) => r.rssMb)).toFixed(0)} |`);
  }
  console.log(`compiled: ${median(results.compiled.map((r) => r.wallMs)) <= 1500 ? 'meets' : 'misses'} the 1.5 s goal (median wall)`);
} finally {
  await rm(workspace, { recursive: true, force: true });
}
