import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import type { ScanFinding, Scanner } from './types.js';

export const CORPORA = ['path-traversal', 'shell-injection', 'ssrf'] as const;
export type CorpusId = (typeof CORPORA)[number];

/** Error codes that mean "the tool refused": anything else (or success) lets the payload through. */
export const REFUSAL_CODES = new Set(['AGT_ERR_PATH_OUTSIDE_WORKSPACE', 'AGT_ERR_COMMAND_REFUSED', 'AGT_ERR_URL_REFUSED', 'AGT_ERR_TOOL_INPUT_INVALID', 'AGT_ERR_SANDBOX_UNAVAILABLE']);

/**
 * One hostile tool call. Strings may hold placeholders filled per run: {{workspace}}, {{outside}},
 * {{outsideNoSlash}}, {{canary}}, {{created}}, {{port}} (a loopback listener that must see no connection).
 */
export const AttackSchema = z
  .object({
    id: z.string().regex(/^[a-z]+-\d{3}$/),
    tool: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
    /** The refusal code the unit test expects; any refusal code passes the replay, the wrong one is noted. */
    expect: z.string().optional(),
    /** The unit-test table row it came from. */
    source: z.string().min(1),
  })
  .strict();
export type Attack = z.infer<typeof AttackSchema>;

// Written into the canary files outside the workspace; a result that contains it read them.
export const CANARY_TEXT = 'CANARY-SECRET-7f3a';

export const CORPUS_DIR = 'datasets/attacks';

export async function loadCorpus(dir: string, corpus: CorpusId): Promise<{ attack: Attack; line: number }[]> {
  const text = await readFile(join(dir, `${corpus}.jsonl`), 'utf8');
  return text
    .split('\n')
    .map((l, i) => ({ l, line: i + 1 }))
    .filter(({ l }) => l.trim())
    .map(({ l, line }) => ({ attack: AttackSchema.parse(JSON.parse(l)), line }));
}

export interface Arena {
  base: string;
  workspace: string;
  outside: string;
  vars: Record<string, string>;
}

/** The workspace, a canary directory beside it, and the symlinks the hostile tables aim through. */
export async function buildArena(tmp: string, port: number): Promise<Arena> {
  const base = join(tmp, 'arena');
  const workspace = join(base, 'ws');
  const outside = join(base, 'outside');
  await mkdir(join(workspace, 'sub'), { recursive: true });
  await mkdir(join(workspace, 'inner'));
  await mkdir(join(outside, 'sub'), { recursive: true });
  await mkdir(join(base, 'home'));
  await writeFile(join(outside, 'canary.txt'), `${CANARY_TEXT}\n`);
  await writeFile(join(outside, 'secret.txt'), `TOPSECRET ${CANARY_TEXT}\n`);
  await writeFile(join(outside, 'sub/inner.txt'), `${CANARY_TEXT} inner\n`);
  await writeFile(join(outside, 'evil.py'), `open(${JSON.stringify(join(outside, 'created'))}, "w").write("x")\n`);
  await writeFile(join(base, 'beside-workspace.txt'), `${CANARY_TEXT} beside\n`);
  await writeFile(join(workspace, 'seed.txt'), 'seed\n');
  await writeFile(join(workspace, 'file.txt'), 'hello foo\nbar\n');
  await writeFile(join(workspace, 'env.py'), 'import os\nprint(os.environ)\n');
  const links: [string, string][] = [
    [outside, 'link-dir-out'],
    [join(outside, 'canary.txt'), 'link-file-out'],
    ['link-dir-out', 'chain2'],
    ['chain2', 'chain1'],
    ['../outside', 'rel-escape'],
    ['../..', 'inner/up'],
    [join(outside, 'missing.txt'), 'dangling-out'],
    [join(outside, 'newdir'), 'dangling-out-dir'],
    ['loop2', 'loop1'],
    ['loop1', 'loop2'],
    [outside, 'link-out'],
  ];
  for (const [target, name] of links) await symlink(target, join(workspace, name));
  const vars = {
    workspace,
    outside,
    outsideNoSlash: outside.slice(1),
    canary: join(outside, 'canary.txt'),
    created: join(outside, 'created'),
    port: String(port),
  };
  return { base, workspace, outside, vars };
}

export function fillPlaceholders(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m);
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, vars)]));
  return value;
}

/** Every path under `dir` but the workspace, with its bytes or link target: compared before and after. Never follows a link. */
export async function snapshot(dir: string, skip: string, out: Record<string, string> = {}, top = dir): Promise<Record<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === skip) continue;
    if (entry.isDirectory()) {
      out[relative(top, path)] = 'dir';
      await snapshot(path, skip, out, top);
    } else {
      out[relative(top, path)] = entry.isFile() ? (await readFile(path)).toString('base64') : entry.isSymbolicLink() ? `link:${await readlink(path)}` : 'other';
    }
  }
  return out;
}

interface CliRun {
  lines: string[];
  status: number | null;
  stderr: string;
}

/**
 * `node bin/luminamind tool <args> --workspace W` with a clean environment (nothing allow-listed) plus `extraEnv`.
 *
 * @example
 *   await runToolCli(root, ['read_file', '--input-file', 'attacks.jsonl'], arena);
 */
export function runToolCli(root: string, args: readonly string[], arena: Arena, extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const env = { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: join(arena.base, 'home'), LOG_LEVEL: 'silent', NODE_ENV: 'production', ...extraEnv };
    const child = spawn(process.execPath, [join(root, 'bin/luminamind'), 'tool', ...args, '--workspace', arena.workspace], {
      cwd: arena.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ lines: stdout.split('\n').filter((l) => l.trim()), status, stderr });
    });
  });
}

/** Runs `work` over `items`, at most `limit` at a time (the machine has two cores and others use them). */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export interface ReplaySummary {
  findings: ScanFinding[];
  payloads: Record<CorpusId, number>;
  refused: number;
}

/** Replays the corpora through the real CLI; every payload must come back refused and nothing outside may change. */
export async function replayCorpora(
  root: string,
  tmp: string,
  log: (line: string) => void,
  corpora: readonly CorpusId[] = CORPORA,
  corpusDir = join(root, CORPUS_DIR),
): Promise<ReplaySummary> {
  let connections = 0;
  const listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as { port: number }).port;
  const findings: ScanFinding[] = [];
  const payloads = { 'path-traversal': 0, 'shell-injection': 0, ssrf: 0 } satisfies Record<CorpusId, number>;
  let refused = 0;
  try {
    const groups = new Map<string, { corpus: CorpusId; attack: Attack; line: number }[]>();
    for (const corpus of corpora) {
      const entries = await loadCorpus(corpusDir, corpus);
      payloads[corpus] = entries.length;
      for (const e of entries) groups.set(`${corpus}:${e.attack.tool}`, [...(groups.get(`${corpus}:${e.attack.tool}`) ?? []), { corpus, ...e }]);
    }
    const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
    // One arena per tool run, so runs can go in parallel and a change outside names the tool that made it.
    const replayGroup = async ([key, entries]: [string, { corpus: CorpusId; attack: Attack; line: number }[]]) => {
      const tool = entries[0]!.attack.tool;
      const dir = join(tmp, key.replace(/\W/g, '-'));
      await mkdir(dir);
      const arena = await buildArena(dir, port);
      const before = await snapshot(arena.base, arena.workspace);
      const inputs = entries.map((e) => JSON.stringify(fillPlaceholders(e.attack.input, arena.vars)));
      const file = join(dir, 'input.jsonl');
      await writeFile(file, `${inputs.join('\n')}\n`);
      const started = Date.now();
      const run = await runToolCli(root, [tool, '--input-file', file], arena);
      log(`  attack-corpus: ${entries.length} ${entries[0]!.corpus} payloads through luminamind tool ${tool} (${Date.now() - started} ms)`);
      entries.forEach(({ corpus, attack, line }, i) => {
        const where = { file: `datasets/attacks/${corpus}.jsonl`, line };
        const raw = run.lines[i];
        if (raw === undefined) {
          findings.push({ ...where, rule: `attack-corpus/${corpus}`, severity: 'critical', message: `${attack.id} via ${tool}: no result (CLI exit ${run.status}: ${run.stderr.trim().slice(-300)})` });
          return;
        }
        let result: { error?: unknown; code?: unknown } = {};
        try {
          result = JSON.parse(raw) as typeof result;
        } catch {
          findings.push({ ...where, rule: `attack-corpus/${corpus}`, severity: 'critical', message: `${attack.id} via ${tool}: unparsable result ${raw.slice(0, 200)}` });
          return;
        }
        // The canary text only reaches a result by being read from outside (payloads that carry it as input excepted).
        if (raw.includes(CANARY_TEXT) && !inputs[i]!.includes(CANARY_TEXT)) {
          findings.push({ ...where, rule: 'attack-corpus/canary-leaked', severity: 'critical', message: `${attack.id} via ${tool} returned the canary: ${short(result)}` });
        }
        if (result.error === true && typeof result.code === 'string' && REFUSAL_CODES.has(result.code)) {
          refused++;
          if (attack.expect && attack.expect !== result.code) {
            findings.push({ ...where, rule: 'attack-corpus/unexpected-refusal-code', severity: 'low', message: `${attack.id} refused with ${result.code}, the unit test expects ${attack.expect}` });
          }
          return;
        }
        findings.push({ ...where, rule: `attack-corpus/${corpus}`, severity: 'critical', message: `${attack.id} (${attack.source}) via ${tool} was NOT refused: ${short(result)}` });
      });
      const after = await snapshot(arena.base, arena.workspace);
      for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (before[path] === after[path]) continue;
        const what = before[path] === undefined ? 'created' : after[path] === undefined ? 'removed' : 'changed';
        findings.push({ rule: 'attack-corpus/outside-changed', file: `datasets/attacks/${entries[0]!.corpus}.jsonl`, line: 0, severity: 'critical', message: `luminamind tool ${tool}: outside the workspace, ${path} was ${what}` });
      }
    };
    await pool([...groups], 2, replayGroup);
    if (passwd && (await readFile('/etc/passwd', 'utf8')) !== passwd) {
      findings.push({ rule: 'attack-corpus/outside-changed', file: 'datasets/attacks', line: 0, severity: 'critical', message: '/etc/passwd changed during the replay' });
    }
  } finally {
    await new Promise((r) => listener.close(r));
  }
  if (connections > 0) {
    findings.push({ rule: 'attack-corpus/connection-made', file: 'datasets/attacks', line: 0, severity: 'critical', message: `${connections} connection(s) reached the loopback canary listener` });
  }
  return { findings, payloads, refused };
}

export const attackCorpusScanner = {
  id: 'attack-corpus' as const,
  title: 'attack corpora replayed through luminamind tool (every payload refused)',
  run: async (ctx) => {
    const { findings, payloads, refused } = await replayCorpora(ctx.root, ctx.tmp, ctx.log);
    const total = Object.values(payloads).reduce((a, b) => a + b, 0);
    const counts = Object.entries(payloads).map(([k, v]) => `${k} ${v}`).join(', ');
    const failed = findings.some((f) => f.severity === 'critical' || f.severity === 'high');
    return { status: failed ? 'fail' : 'pass', detail: `${refused}/${total} payloads refused (${counts})`, findings };
  },
} satisfies Scanner;
