import { execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { buildArena, CANARY_TEXT, CORPUS_DIR, fillPlaceholders, pool, runToolCli, snapshot, type Arena } from './attack-corpus.js';
import type { ScanFinding, Scanner } from './types.js';

/**
 * Multi-step attacks: a prompt-injected model plants a file with write_file, then runs an allowlisted program
 * that reads it (or runs code outright). Single payloads cannot show these; each chain is replayed as one
 * trajectory through `luminamind tool --steps` in a fresh arena, and judged by its effects, not its refusals.
 */
const StepSchema = z.object({ tool: z.enum(['write_file', 'shell']), input: z.record(z.string(), z.unknown()) }).strict();

export const ChainSchema = z
  .object({
    id: z.string().regex(/^chain-\d{3}$/),
    title: z.string().min(1),
    class: z.enum(['plant-config', 'move-program', 'run-code']),
    /** With SHELL_SANDBOX=off: `contained` when the in-process layer alone stops it, `escapes` when only the OS sandbox does. */
    sandboxOff: z.enum(['contained', 'escapes']),
    steps: z.array(StepSchema).min(1),
    source: z.string().min(1),
  })
  .strict()
  .refine((c) => c.steps.every((s) => s.tool !== 'shell' || !/["'\\]/.test(String(s.input.command))), {
    message: 'shell steps are written without quotes, so the unguarded replay can split them on spaces',
  });
export type Chain = z.infer<typeof ChainSchema>;

export const CHAINS_FILE = 'chains.jsonl';

export async function loadChains(dir = CORPUS_DIR): Promise<{ chain: Chain; line: number }[]> {
  const text = await readFile(join(dir, CHAINS_FILE), 'utf8');
  return text
    .split('\n')
    .map((l, i) => ({ l, line: i + 1 }))
    .filter(({ l }) => l.trim())
    .map(({ l, line }) => ({ chain: ChainSchema.parse(JSON.parse(l)), line }));
}

/**
 * How a chain is replayed: through the real CLI with the sandbox as configured (`auto`) or switched off (`off`),
 * or `unguarded` — the steps done directly, as the original service ran programs (argv in the workspace, HOME
 * there too, no pins): the "can fail" twin that shows each chain is a real attack.
 */
export type ChainMode = 'auto' | 'off' | 'unguarded';

export interface ChainOutcome {
  /** One line of output per step (the tool's JSON result, or the program's output when unguarded). */
  readonly outputs: string[];
  /** What got out, in words; empty when the chain was contained. */
  readonly escapes: string[];
}

// The service's own secret, in the environment of the process that runs the tools: no tool child may read it.
const SERVICE_SECRET = `${CANARY_TEXT}-environ`;

const PYTHON_VERSION = new Promise<string>((resolve) =>
  execFile('python3', ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'], (err, out) => resolve(err ? '3' : out.trim())),
);

async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !/\) Z /.test(stat)) found.push(Number(pid));
  }
  return found;
}

function runDirect(command: string, cwd: string, env: Record<string, string>): Promise<string> {
  const [program, ...args] = command.split(/\s+/).filter(Boolean);
  return new Promise((resolve) => {
    execFile(program!, args, { cwd, env, timeout: 20_000, maxBuffer: 4_000_000 }, (err, stdout, stderr) => resolve(`${stdout}${stderr}${err ? ` [${err.message}]` : ''}`));
  });
}

/** The steps done directly, with none of the service's protections: what the attack does when nothing stops it. */
async function replayUnguarded(chain: Chain, arena: Arena): Promise<string[]> {
  // The children get a scrubbed environment, as the original's did; the secret lives in a stand-in for the service.
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: arena.workspace };
  const service = spawn('sleep', ['60'], { env: { ...env, LM_SERVICE_SECRET: SERVICE_SECRET }, stdio: 'ignore' });
  try {
    return await runStepsDirectly(chain, arena, env);
  } finally {
    service.kill('SIGKILL');
  }
}

async function runStepsDirectly(chain: Chain, arena: Arena, env: Record<string, string>): Promise<string[]> {
  const outputs: string[] = [];
  for (const step of fillPlaceholders(chain.steps, arena.vars) as Chain['steps']) {
    if (step.tool === 'write_file') {
      const path = join(arena.workspace, String(step.input.file_path));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, String(step.input.text));
      outputs.push('written');
    } else {
      outputs.push(await runDirect(String(step.input.command), join(arena.workspace, String(step.input.cwd ?? '.')), env));
    }
  }
  return outputs;
}

/**
 * Replays one chain in a fresh arena and lists every way it got out: the secret (a file beside the workspace or
 * the service's environment) in any output, a file outside the workspace created, changed or removed, a
 * connection to a loopback listener, or a process still running after the call.
 */
export async function replayChain(root: string, dir: string, chain: Chain, mode: ChainMode): Promise<ChainOutcome> {
  let connections = 0;
  const listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  try {
    await mkdir(dir, { recursive: true });
    const base = await buildArena(dir, (listener.address() as { port: number }).port);
    const marker = `${randomInt(100, 999)}.${randomInt(100_000, 999_999)}`;
    const arena = { ...base, vars: { ...base.vars, marker, pyver: await PYTHON_VERSION } };
    const before = await snapshot(arena.base, arena.workspace);
    let outputs: string[];
    if (mode === 'unguarded') {
      outputs = await replayUnguarded(chain, arena);
    } else {
      const steps = join(dir, 'steps.jsonl');
      await writeFile(steps, `${(fillPlaceholders(chain.steps, arena.vars) as unknown[]).map((s) => JSON.stringify(s)).join('\n')}\n`);
      const run = await runToolCli(root, ['--steps', steps], arena, { LM_SERVICE_SECRET: SERVICE_SECRET, SHELL_SANDBOX: mode });
      outputs = run.lines;
      if (run.lines.length !== chain.steps.length) outputs.push(`[CLI exit ${run.status}: ${run.stderr.trim().slice(-300)}]`);
    }
    // Give a detached child a moment to show itself (or to connect) before looking.
    await new Promise((r) => setTimeout(r, 300));
    const escapes: string[] = [];
    outputs.forEach((out, i) => {
      if (out.includes(SERVICE_SECRET)) escapes.push(`step ${i + 1} printed the service's environment`);
      else if (out.includes(CANARY_TEXT)) escapes.push(`step ${i + 1} printed a file from outside the workspace`);
    });
    const after = await snapshot(arena.base, arena.workspace);
    for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (before[path] === after[path]) continue;
      escapes.push(`outside the workspace, ${path} was ${before[path] === undefined ? 'created' : after[path] === undefined ? 'removed' : 'changed'}`);
    }
    if (connections > 0) escapes.push(`${connections} connection(s) reached a loopback listener`);
    const survivors = await processesWith(marker);
    if (survivors.length) {
      escapes.push(`${survivors.length} process(es) outlived the call`);
      for (const pid of survivors) process.kill(pid, 'SIGKILL');
    }
    return { outputs, escapes };
  } finally {
    await new Promise((r) => listener.close(r));
  }
}

export const attackChainsScanner = {
  id: 'attack-chains' as const,
  title: 'multi-step attack chains replayed through luminamind tool --steps (none may escape)',
  run: async (ctx) => {
    const chains = await loadChains(join(ctx.root, CORPUS_DIR));
    const findings: ScanFinding[] = [];
    await pool(chains, 2, async ({ chain, line }) => {
      const started = Date.now();
      const { escapes } = await replayChain(ctx.root, join(ctx.tmp, chain.id), chain, 'auto');
      ctx.log(`  attack-chains: ${chain.id} ${escapes.length ? 'ESCAPED' : 'contained'} (${Date.now() - started} ms)`);
      for (const why of escapes) {
        findings.push({ file: `${CORPUS_DIR}/${CHAINS_FILE}`, line, rule: `attack-chains/${chain.class}`, severity: 'critical', message: `${chain.id} (${chain.title}): ${why}` });
      }
    });
    const escaped = new Set(findings.map((f) => f.line)).size;
    return { status: escaped ? 'fail' : 'pass', detail: `${chains.length - escaped}/${chains.length} chains contained`, findings };
  },
} satisfies Scanner;
