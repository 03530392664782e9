import { chmod, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import type { SecurityEvent, ToolContext } from '../support/types.js';
import { SAFE_SEARCH_PATH } from './exec.js';
import { limitArgs, sandboxNotice, sandboxStatus } from './sandbox.js';
import { createShellTool, shellTool } from './tool.js';

let root: string;
let ws: string;
let brokenBin: string;
const events: SecurityEvent[] = [];

const context = (env: Record<string, string> = {}): ToolContext => ({ workspaceRoot: ws, config: loadConfig(env), onSecurityEvent: (e) => events.push(e) });
async function run(command: string, ctx = context(), tool = shellTool): Promise<Record<string, unknown>> {
  return (await tool.run(tool.schema.parse({ command }), ctx)) as Record<string, unknown>;
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'lm-sandbox-')));
  ws = join(root, 'ws');
  await mkdir(ws);
  await writeFile(join(ws, 'hello.py'), 'print("hello")\n');
  await writeFile(join(ws, 'note.txt'), 'note\n');
  await writeFile(join(ws, 'cpu.py'), 'while True:\n    pass\n');
  await writeFile(join(ws, 'memory.py'), 'import mmap\n# Reserved, never touched: the address-space limit refuses it without using the memory.\nm = mmap.mmap(-1, 1536 * 1024 * 1024)\nprint("allocated")\n');
  await writeFile(join(ws, 'big.py'), 'f = open("big.bin", "wb")\nfor _ in range(64):\n    f.write(b"x" * 1024 * 1024)\nprint("wrote")\n');
  await writeFile(join(ws, 'files.py'), 'fs = [open("note.txt") for _ in range(200)]\nprint("opened", len(fs))\n');
  await writeFile(join(ws, 'tmp.py'), 'import os, tempfile\nprint(os.environ["HOME"], tempfile.gettempdir())\nopen(os.path.join(os.environ["HOME"], "x"), "w").write("y")\nprint(os.listdir("/proc"))\n');
  // A host where bwrap exists but cannot create namespaces (user namespaces off): it fails the way bwrap does.
  brokenBin = join(root, 'broken-bin');
  await mkdir(brokenBin);
  await writeFile(join(brokenBin, 'bwrap'), '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n');
  await chmod(join(brokenBin, 'bwrap'), 0o755);
  for (const program of ['prlimit', 'true', 'python', 'ls', 'git']) await symlink(join('/usr/bin', program), join(brokenBin, program));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('sandbox: what a confined program sees', () => {
  it('the probe finds a working bwrap here', async () => {
    const status = await sandboxStatus(context().config.tools.shell.sandbox);
    expect(status).toMatchObject({ confined: true, state: 'bwrap' });
    expect(sandboxNotice(status)).toMatchObject({ level: 'info', message: expect.stringMatching(/^sandbox: bwrap/) });
  });

  it('HOME and /tmp are private and gone after the call; /proc holds only the sandbox', async () => {
    const result = await run('python tmp.py');
    expect(result).toMatchObject({ error: false });
    const [homeAndTmp, procList] = String(result.stdout).trim().split('\n');
    expect(homeAndTmp).toBe('/tmp/.home /tmp');
    // Only the sandbox's own PID namespace: bwrap's init (1) and the program (2), never the service's processes.
    const pids = (JSON.parse(procList!.replace(/'/g, '"')) as string[]).filter((e) => /^\d+$/.test(e));
    expect(pids.sort()).toEqual(['1', '2']);
    expect(await readdir(ws)).not.toContain('x');
  });
});

describe('sandbox: resource limits from config', () => {
  it('prlimit gets every limit', () => {
    const { limits } = context({ SHELL_LIMIT_CPU_SECONDS: '7', SHELL_LIMIT_MEMORY_MB: '512', SHELL_LIMIT_PROCESSES: '9', SHELL_LIMIT_FILE_SIZE_MB: '3', SHELL_LIMIT_OPEN_FILES: '40' }).config.tools.shell.sandbox;
    expect(limitArgs(limits)).toEqual(['--cpu=7', `--as=${512 * 1024 * 1024}`, '--nproc=9', `--fsize=${3 * 1024 * 1024}`, '--nofile=40']);
  });

  it.each([
    ['CPU seconds', 'cpu.py', { SHELL_LIMIT_CPU_SECONDS: '1' }, /killed by a signal|code/],
    ['address space', 'memory.py', { SHELL_LIMIT_MEMORY_MB: '1024' }, /MemoryError|Cannot allocate memory/],
    ['file size', 'big.py', { SHELL_LIMIT_FILE_SIZE_MB: '4' }, /File too large|killed by a signal|code/],
    ['open files', 'files.py', { SHELL_LIMIT_OPEN_FILES: '64' }, /Too many open files/],
  ])('%s: a program past the limit is stopped', async (_what, script, env, why) => {
    const result = await run(`python ${script}`, context(env));
    expect(result.error).toBe(true);
    expect(`${result.message} ${result.stderr}`).toMatch(why);
    expect(String(result.stdout)).not.toMatch(/allocated|wrote|opened/);
  });

  it.each([
    ['address space', 'memory.py', /allocated/],
    ['open files', 'files.py', /opened 200/],
  ])('can fail: with the default limits the same %s program completes', async (_what, script, done) => {
    expect(await run(`python ${script}`)).toMatchObject({ error: false, stdout: expect.stringMatching(done) });
  });
});

describe('sandbox: fail closed where it cannot start', () => {
  // Built on use: brokenBin exists only once beforeAll has run.
  const broken = () => createShellTool({ searchPath: [brokenBin] });

  it('is reported unavailable, with the reason', async () => {
    const status = await sandboxStatus(context().config.tools.shell.sandbox, [brokenBin]);
    expect(status).toMatchObject({ confined: false, state: 'unavailable', detail: expect.stringMatching(/No permissions to create new namespace/) });
    expect(sandboxNotice(status)).toMatchObject({ level: 'warn', message: expect.stringMatching(/^sandbox: unavailable/) });
  });

  it.each(['python hello.py', 'git status'])('%s (runs workspace code or reads workspace config) is refused', async (command) => {
    const result = await run(command, context(), broken());
    expect(result).toMatchObject({ error: true, code: 'AGT_ERR_SANDBOX_UNAVAILABLE' });
    expect(result.message).toMatch(/OS sandbox, which is unavailable here/);
  });

  it('programs that only read files still run', async () => {
    expect(await run('ls', context(), broken())).toMatchObject({ error: false, stdout: expect.stringContaining('note.txt') });
  });

  it('SHELL_SANDBOX=off runs them unconfined, and says so in the audit stream every time', async () => {
    events.length = 0;
    const result = await run('python hello.py', context({ SHELL_SANDBOX: 'off' }), broken());
    expect(result).toMatchObject({ error: false, stdout: 'hello\n' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'sandbox_off', detail: expect.objectContaining({ program: 'python' }) }));
  });

  it('SHELL_SANDBOX=required is reported as such', async () => {
    const status = await sandboxStatus(context({ SHELL_SANDBOX: 'required' }).config.tools.shell.sandbox, [brokenBin]);
    expect(sandboxNotice(status).message).toMatch(/SHELL_SANDBOX=required: \/ready fails/);
  });
});

it('the default search path is the fixed one', () => {
  expect(SAFE_SEARCH_PATH).toEqual(['/usr/local/bin', '/usr/bin', '/bin']);
});
