import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import { SAFE_SEARCH_PATH, buildChildEnv } from './exec.js';
import { GIT_PINNED_CONFIG } from './programs/git.js';
import { vetCommand } from './policy.js';
import { SANDBOX_HOME } from './sandbox.js';
import { createShellTool, shellTool } from './tool.js';
import type { SecurityEvent, ToolContext } from '../support/types.js';

let root: string;
let ws: string;
let outside: string;
let canary: string;
let created: string;
let fakeBin: string;
let pyBin: string;
let server: Server;
let port: number;
let connections = 0;
const events: SecurityEvent[] = [];
let ctx: ToolContext;

const gitEnv = { ...buildChildEnv('/nonexistent'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, stdio: 'pipe' });

/** Live (non-zombie) processes whose command line contains `marker`: pids inside a sandbox mean nothing out here. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !/\) Z /.test(stat)) found.push(Number(pid));
  }
  return found;
}

type Input = { command: string; cwd?: string; timeout_ms?: number };
async function run(input: Input, tool = shellTool, context = ctx): Promise<Record<string, unknown>> {
  return (await tool.run(tool.schema.parse(input), context)) as Record<string, unknown>;
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'lm-shell-')));
  ws = join(root, 'ws');
  outside = join(root, 'outside');
  canary = join(outside, 'canary.txt');
  created = join(outside, 'created');
  fakeBin = join(root, 'fake-bin');
  pyBin = join(root, 'py-bin');
  await mkdir(join(ws, 'src'), { recursive: true });
  await mkdir(outside);
  await mkdir(fakeBin);
  await mkdir(pyBin);
  await writeFile(canary, 'original');
  await writeFile(join(outside, 'secret.txt'), 'TOPSECRET\n');
  await writeFile(join(outside, 'evil.py'), `open(${JSON.stringify(created)}, "w").write("x")\n`);
  await writeFile(join(ws, 'file.txt'), 'hello foo\nbar\n');
  await writeFile(join(ws, 'src', 'a.ts'), 'export const foo = 1;\n');
  await writeFile(join(ws, 'big.txt'), 'x'.repeat(5000));
  await writeFile(join(ws, 'env.py'), 'import os\nfor k, v in sorted(os.environ.items()):\n    print(f"{k}={v}")\n');
  await writeFile(join(ws, 'fail.py'), 'import sys\nprint("partial")\nsys.exit(3)\n');
  await writeFile(
    join(ws, 'spawn.py'),
    'import subprocess, time\np = subprocess.Popen(["sleep", "30.4242"], start_new_session=True)\ntime.sleep(30)\n',
  );
  await symlink(outside, join(ws, 'link-out'));
  execFileSync('mkfifo', [join(ws, 'fifo')]);
  // A fake `python` that prints its whole environment, to see exactly what a child receives.
  await writeFile(join(fakeBin, 'python'), '#!/bin/sh\nexec env\n');
  await chmod(join(fakeBin, 'python'), 0o755);
  await symlink('/usr/bin/python3', join(pyBin, 'python'));

  // Repositories whose own files try to make git run a program or work outside the workspace.
  await mkdir(join(ws, 'hookrepo'));
  git(join(ws, 'hookrepo'), 'init', '-q');
  git(join(ws, 'hookrepo'), 'config', 'core.fsmonitor', `touch ${created}`);
  await mkdir(join(ws, 'includerepo'));
  git(join(ws, 'includerepo'), 'init', '-q');
  git(join(ws, 'includerepo'), 'config', 'include.path', join(outside, 'evil.gitconfig'));
  await mkdir(join(ws, 'filterrepo'));
  git(join(ws, 'filterrepo'), 'init', '-q');
  git(join(ws, 'filterrepo'), 'config', 'filter.evil.clean', `touch ${created}`);
  await writeFile(join(ws, 'filterrepo', '.gitattributes'), '* filter=evil\n');
  await writeFile(join(ws, 'filterrepo', 'a.txt'), 'a\n');
  git(outside, 'init', '-q', '--bare', 'elsewhere.git');
  await mkdir(join(ws, 'pointer'));
  await writeFile(join(ws, 'pointer', '.git'), `gitdir: ${join(outside, 'elsewhere.git')}\n`);

  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  ctx = { workspaceRoot: ws, config: loadConfig({}), onSecurityEvent: (e) => events.push(e) };
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(root, { recursive: true, force: true });
});

describe('shell: hostile commands are refused and leave no trace', () => {
  const hostile: [string, () => Input, RegExp?][] = [
    ['chaining with ;', () => ({ command: 'ls; rm -rf /' }), /not allowed/],
    ['; then touch', () => ({ command: `echo hi; touch ${created}` }), /not allowed/],
    ['&&', () => ({ command: `echo hi && touch ${created}` }), /&&/],
    ['||', () => ({ command: `ls nope || touch ${created}` }), /\|\|/],
    ['pipe', () => ({ command: `echo pwned | tee ${canary}` }), /pipes/],
    ['background &', () => ({ command: `cat file.txt & touch ${created}` }), /background/],
    ['backticks', () => ({ command: `echo \`touch ${created}\`` }), /backticks/],
    ['$() substitution', () => ({ command: `echo $(touch ${created})` }), /substitution/],
    ['$() inside double quotes', () => ({ command: `echo "$(touch ${created})"` }), /substitution/],
    ['newline', () => ({ command: `echo hi\ntouch ${created}` }), /newlines/],
    ['> redirection', () => ({ command: `echo pwned > ${canary}` }), /redirections/],
    ['>> redirection', () => ({ command: `echo pwned >> ${canary}` }), /redirections/],
    ['< redirection', () => ({ command: `cat < ${canary}` }), /redirections/],
    ['2>&1', () => ({ command: 'ls 2>&1' }), /redirections|background/],
    ['> /dev/sd', () => ({ command: 'echo x > /dev/sda' }), /dangerous pattern/],
    ['unquoted glob', () => ({ command: `cat ${outside}/*` }), /globbing is not supported/],
    ['unquoted ? glob', () => ({ command: 'ls fil?.txt' }), /globbing is not supported/],
    ['brace expansion', () => ({ command: 'ls {a,b}' }), /brace expansion/],
    ['env assignment', () => ({ command: `FOO=1 ls` }), /environment assignments/],
    ['env program', () => ({ command: 'env' }), /Command 'env' not allowed\. Allowed: ls, cat/],
    ['$HOME', () => ({ command: 'cat $HOME/.bashrc' }), /variable expansion/],
    ['${HOME}', () => ({ command: 'echo ${HOME}' }), /variable expansion/],
    ['comment', () => ({ command: 'echo hi # rm everything' }), /comments are not supported/],
    ['tilde', () => ({ command: 'cat ~/.ssh/id_rsa' }), /'~' expansion/],
    ['absolute path', () => ({ command: 'cat /etc/passwd' }), /outside the workspace/],
    ['.. traversal', () => ({ command: 'cat ../outside/canary.txt' }), /outside the workspace/],
    ['symlink out (cat)', () => ({ command: 'cat link-out/secret.txt' }), /outside the workspace/],
    ['symlink out (ls)', () => ({ command: 'ls link-out' }), /outside the workspace/],
    ['grep outside file', () => ({ command: `grep TOPSECRET ${outside}/secret.txt` }), /outside the workspace/],
    ['grep -f outside file', () => ({ command: `grep -f ${outside}/secret.txt file.txt` }), /outside the workspace/],
    ['grep -R follows symlinks', () => ({ command: 'grep -R TOPSECRET .' }), /follows symlinks/],
    ['ls -L follows symlinks', () => ({ command: 'ls -LR .' }), /follows symlinks/],
    ['find -exec', () => ({ command: `find . -exec touch ${created} \\;` }), /runs a program/],
    ['find -execdir', () => ({ command: `find . -execdir touch ${created} \\;` }), /runs a program/],
    ['find -delete', () => ({ command: 'find . -delete' }), /deletes files/],
    ['find -fprint', () => ({ command: `find . -fprint ${created}` }), /writes to a file/],
    ['find -L', () => ({ command: 'find -L . -name secret.txt' }), /follows symlinks/],
    ['find outside start', () => ({ command: `find ${outside}` }), /outside the workspace/],
    ['find -newer outside', () => ({ command: `find . -newer ${canary}` }), /outside the workspace/],
    ['git -c core.pager', () => ({ command: `git -c core.pager='touch ${created}' log` }), /sets config/],
    ['git -c alias', () => ({ command: `git -c alias.x='!touch ${created}' x` }), /sets config/],
    ['git --output global', () => ({ command: `git --output=${created} log` }), /not on the vetted list/],
    ['git log --output', () => ({ command: `git log --output=${created}` }), /writes to a file/],
    ['git -C /', () => ({ command: 'git -C / status' }), /outside the workspace/],
    ['git --git-dir outside', () => ({ command: `git --git-dir=${outside}/elsewhere.git log` }), /outside the workspace/],
    ['git --work-tree outside', () => ({ command: `git --work-tree ${outside} status` }), /outside the workspace/],
    ['git --exec-path', () => ({ command: `git --exec-path=${outside} status` }), /exec-path/],
    ['git diff --no-index', () => ({ command: `git diff --no-index ${canary} file.txt` }), /no-index|outside/],
    ['git diff --ext-diff', () => ({ command: 'git diff --ext-diff' }), /external diff/],
    ['git ext:: url', () => ({ command: `git clone 'ext::sh -c touch% ${created}' x` }), /ext::/],
    ['git clone', () => ({ command: `git clone http://127.0.0.1:${0}/x` }), /git clone is not allowed/],
    ['git push', () => ({ command: 'git push' }), /git push is not allowed/],
    ['git config', () => ({ command: `git config core.fsmonitor 'touch ${created}'` }), /git config is not allowed/],
    ['git grep -O pager', () => ({ command: `git grep -Otouch foo` }), /pager/],
    ['git branch -D', () => ({ command: 'git branch -D main' }), /listing only/],
    ['planted diff textconv', () => ({ command: 'git diff', cwd: 'filterrepo' }), /filter\.evil\.clean|textconv/],
    ['planted include.path', () => ({ command: 'git log', cwd: 'includerepo' }), /include\.path/],
    ['planted clean filter', () => ({ command: 'git add a.txt', cwd: 'filterrepo' }), /filter\.evil\.clean/],
    ['.git file pointing outside', () => ({ command: 'git status', cwd: 'pointer' }), /outside the workspace/],
    ['python -c', () => ({ command: `python -c "import socket;socket.create_connection(('127.0.0.1',${port}))"` }), /runs code/],
    ['python -m http.server', () => ({ command: 'python -m http.server' }), /runs a module/],
    ['python -', () => ({ command: 'python -' }), /stdin/],
    ['python script outside', () => ({ command: `python ${outside}/evil.py` }), /outside the workspace/],
    ['python -W', () => ({ command: 'python -W ignore::evil.Thing env.py' }), /warning filters/],
    ['pytest --basetemp', () => ({ command: `pytest --basetemp=${outside}` }), /deletes/],
    ['pytest outside path', () => ({ command: `pytest ${outside}` }), /outside the workspace/],
    ['pytest -p plugin', () => ({ command: 'pytest -p evil' }), /plugins/],
    ['npm exec', () => ({ command: `npm exec -- curl 127.0.0.1:${port}` }), /npm exec is not allowed/],
    ['npx', () => ({ command: `npx curl 127.0.0.1:${port}` }), /Command 'npx' not allowed/],
    ['npm run', () => ({ command: 'npm run build' }), /npm run is not allowed/],
    ['npm install', () => ({ command: 'npm install left-pad' }), /npm install is not allowed/],
    ['npm ls -g', () => ({ command: 'npm ls -g' }), /global/],
    ['yarn dlx', () => ({ command: 'yarn dlx cowsay' }), /yarn dlx is not allowed/],
    ['curl', () => ({ command: `curl http://127.0.0.1:${port}/` }), /Command 'curl' not allowed/],
    ['/bin/sh', () => ({ command: `/bin/sh -c 'touch ${created}'` }), /path-qualified/],
    ['./script', () => ({ command: './run.sh' }), /path-qualified/],
    ['/bin/ls', () => ({ command: '/bin/ls /' }), /path-qualified/],
    ['bash -c', () => ({ command: `bash -c "touch ${created}"` }), /Command 'bash' not allowed/],
    ['sh -c', () => ({ command: `sh -c "touch ${created}"` }), /Command 'sh' not allowed/],
    ['dd if=', () => ({ command: `dd if=/dev/zero of=${canary}` }), /dd if=/],
    ['chmod 777', () => ({ command: 'chmod 777 file.txt' }), /chmod 777/],
    ['fork bomb', () => ({ command: ':(){ :|:& };:' }), /fork bomb/],
    ['rm -rf /', () => ({ command: 'rm -rf /' }), /rm -rf \//],
    ['which with a path', () => ({ command: 'which ../x' }), /program names only/],
    ['1001-char command', () => ({ command: `echo ${'a'.repeat(996)}` }), /too long/],
    ['timeout too small', () => ({ command: 'ls', timeout_ms: 99 }), /Timeout must be 100ms-300s/],
    ['timeout too large', () => ({ command: 'ls', timeout_ms: 300_001 }), /Timeout must be 100ms-300s/],
    ['unparsable', () => ({ command: `echo 'open` }), /Invalid command: No closing quotation/],
  ];

  it('has at least 30 hostile cases', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  it.each(hostile)('%s', async (_name, input, message) => {
    const result = await run(input());
    expect(result.error).toBe(true);
    if (message) expect(String(result.message)).toMatch(message);
    expect(result).not.toHaveProperty('stdout');
  });

  it('refusals carry AGT_ERR_COMMAND_REFUSED and emit shell_blocked events', async () => {
    events.length = 0;
    const result = await run({ command: ':(){ :|:& };:' });
    expect(result.code).toBe('AGT_ERR_COMMAND_REFUSED');
    expect(events).toEqual([
      expect.objectContaining({ type: 'shell_blocked', tool: 'shell', detail: expect.objectContaining({ rule: 'dangerous_pattern', pattern: 'fork bomb' }) }),
    ]);
    events.length = 0;
    await run({ command: 'cat /etc/passwd' });
    expect(events.map((e) => e.type)).toEqual(['path_traversal', 'shell_blocked']);
  });

  it('planted hooks and fsmonitor are neutralised by the pinned config (the command runs, the program does not)', async () => {
    const hook = join(ws, 'hookrepo', '.git', 'hooks', 'pre-commit');
    await writeFile(hook, `#!/bin/sh\ntouch ${created}\n`);
    await chmod(hook, 0o755);
    await writeFile(join(ws, 'hookrepo', 'h.txt'), 'h\n');
    expect(await run({ command: 'git status --short', cwd: 'hookrepo' })).toMatchObject({ error: false, stdout: '?? h.txt\n' });
    expect(await run({ command: 'git add h.txt', cwd: 'hookrepo' })).toMatchObject({ error: false });
    expect(await run({ command: 'git commit -q -m hooked', cwd: 'hookrepo' })).toMatchObject({ error: false });
    await expect(readFile(created)).rejects.toThrow();
  });

  it('a cwd outside the workspace is refused with allowed_root', async () => {
    for (const cwd of ['..', outside, 'link-out']) {
      const result = await run({ command: 'ls', cwd });
      expect(result).toMatchObject({ error: true, allowed_root: ws, code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' });
    }
  });

  it('afterwards: the canary is unchanged, nothing was created outside, no connection was made', async () => {
    expect(await readFile(canary, 'utf8')).toBe('original');
    expect((await readdir(outside)).sort()).toEqual(['canary.txt', 'elsewhere.git', 'evil.py', 'secret.txt']);
    expect(connections).toBe(0);
  });
});

describe('shell: what is allowed works', () => {
  it('ls -la', async () => {
    const result = await run({ command: 'ls -la' });
    expect(result).toMatchObject({ error: false, cwd: '.' });
    expect(result.stdout).toContain('file.txt');
  });

  it('metacharacters inside quotes are plain arguments', async () => {
    expect(await run({ command: 'echo "a; b"' })).toMatchObject({ error: false, stdout: 'a; b\n' });
    expect(await run({ command: `echo 'x | y > z && $HOME'` })).toMatchObject({ error: false, stdout: 'x | y > z && $HOME\n' });
    expect(await run({ command: `echo a#b '#c' "*" \\;` })).toMatchObject({ error: false, stdout: 'a#b #c * ;\n' });
  });

  it('grep -r, cat, pwd, which', async () => {
    expect((await run({ command: 'grep -rn foo .' })).stdout).toMatch(/file\.txt:1:hello foo/);
    expect(await run({ command: 'cat file.txt' })).toMatchObject({ error: false, stdout: 'hello foo\nbar\n' });
    expect(await run({ command: 'pwd', cwd: 'src' })).toMatchObject({ error: false, cwd: 'src', stdout: `${join(ws, 'src')}\n` });
    expect((await run({ command: 'which ls' })).stdout).toMatch(/\/ls\n$/);
  });

  it('grep -r does not follow the symlink that points outside', async () => {
    const result = await run({ command: 'grep -r TOPSECRET .' });
    expect(result).toMatchObject({ error: true, code: 1 });
    expect(result.stdout).toBe('');
  });

  it("find . -name '*.ts' (a quoted glob is a literal argument)", async () => {
    expect(await run({ command: `find . -name '*.ts'` })).toMatchObject({ error: false, stdout: './src/a.ts\n' });
  });

  it('git init, status, add and commit inside the workspace', async () => {
    await mkdir(join(ws, 'repo'));
    expect(await run({ command: 'git init -q', cwd: 'repo' })).toMatchObject({ error: false });
    await writeFile(join(ws, 'repo', 'x.txt'), 'x\n');
    expect((await run({ command: 'git status --short', cwd: 'repo' })).stdout).toBe('?? x.txt\n');
    expect(await run({ command: 'git add x.txt', cwd: 'repo' })).toMatchObject({ error: false });
    expect(await run({ command: 'git commit -q -m "first commit"', cwd: 'repo' })).toMatchObject({ error: false });
    expect((await run({ command: 'git log --format=%an:%s', cwd: 'repo' })).stdout).toBe('LuminaMind agent:first commit\n');
  });

  it('an enclosing repository above the workspace is invisible to git', async () => {
    git(root, 'init', '-q');
    try {
      const result = await run({ command: 'git status', cwd: 'src' });
      expect(result.error).toBe(true);
      expect(String(result.stderr)).toMatch(/not a git repository/);
    } finally {
      await rm(join(root, '.git'), { recursive: true, force: true });
    }
  });

  it.each([
    'git log --oneline -5',
    'git diff HEAD~1 -- src',
    'git show HEAD:file.txt',
    'git switch -c feature',
    'git checkout -b feature',
    'git branch -a',
    'git branch --show-current',
    'git branch --list feat',
    'git rev-parse --show-toplevel',
    'git ls-files -z',
    'git grep -n foo',
    'git blame file.txt',
    'git -C src status',
    'grep -rn --include=*.ts foo src',
    'grep -A2 -e foo file.txt',
    'ls -la src',
    'find . -type f -name x -maxdepth 2 -print',
    'cat -n file.txt',
    'npm ls --depth=0',
    'npm --version',
    'yarn --version',
    'pytest -q -k smoke src::test_x',
    'python -u env.py --out=reports/x.json',
  ])('policy allows %s', async (command) => {
    await expect(vetCommand(command.split(' '), { ctx, cwd: ws, home: SANDBOX_HOME, allowedPrograms: ['git', 'grep', 'ls', 'find', 'cat', 'npm', 'yarn', 'pytest', 'python'] })).resolves.toBeDefined();
  });

  it('git gets the pinned config in front of the user arguments', async () => {
    const vetted = await vetCommand(['git', 'log', '-n', '1'], { ctx, cwd: ws, home: SANDBOX_HOME, allowedPrograms: ['git'] });
    expect(vetted.args.slice(0, GIT_PINNED_CONFIG.length * 2)).toEqual(GIT_PINNED_CONFIG.flatMap((kv) => ['-c', kv]));
    expect(vetted.args.slice(-3)).toEqual(['log', '-n', '1']);
    expect(vetted.env).toMatchObject({ GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: root });
  });

  it('a nonzero exit keeps the original shape {error, code, stdout, stderr}', async () => {
    const result = await run({ command: 'ls does-not-exist' });
    expect(result).toMatchObject({ error: true, code: 2, stdout: '' });
    expect(result.stderr).toMatch(/does-not-exist/);
  });

  it('times out, returning what was printed, and kills the whole process group', async () => {
    const started = Date.now();
    expect(await run({ command: 'cat fifo', timeout_ms: 300 })).toEqual({ error: true, message: 'Command timed out', stdout: '', stderr: '' });
    expect(Date.now() - started).toBeLessThan(5000);

    const python = createShellTool({ searchPath: [pyBin, ...SAFE_SEARCH_PATH] });
    const result = await run({ command: 'python spawn.py', timeout_ms: 1500 }, python);
    expect(result).toMatchObject({ error: true, message: 'Command timed out' });
    // The grandchild left the process group (setsid); it still dies with the sandbox's PID namespace.
    await new Promise((r) => setTimeout(r, 200));
    expect(await processesWith('30.4242')).toEqual([]);
  });

  it('caps output at TOOL_OUTPUT_MAX_BYTES with a note', async () => {
    const small = { ...ctx, config: loadConfig({ TOOL_OUTPUT_MAX_BYTES: '1024' }) };
    const result = await run({ command: 'cat big.txt' }, shellTool, small);
    expect(result).toMatchObject({ error: false, truncated: true });
    expect(result.stdout).toMatch(/^x{1024}\n\.\.\.\[output truncated at 1024 bytes; the command was stopped\]$/);
  });

  it('a program missing from the fixed PATH is exit 127, as a shell would say', async () => {
    const result = await run({ command: 'echo hi' }, createShellTool({ searchPath: [join(root, 'empty')] }));
    expect(result).toMatchObject({ error: true, code: 127, stdout: '' });
    expect(result.stderr).toMatch(/echo: command not found/);
  });

  it('the default search path is fixed: python here is python3-only, so `python` is honestly not found', async () => {
    const result = await run({ command: 'python env.py' });
    // On machines that do ship /usr/bin/python this runs; either way nothing comes from the service PATH.
    if (result.error) expect(result).toMatchObject({ code: 127 });
    else expect(result.stdout).toMatch(/^PATH=\/usr\/local\/bin:\/usr\/bin:\/bin$/m);
  });

  it('python runs a workspace script and pytest-style -m is vetted', async () => {
    const python = createShellTool({ searchPath: [pyBin, ...SAFE_SEARCH_PATH] });
    expect(await run({ command: 'python fail.py' }, python)).toMatchObject({ error: true, code: 3, stdout: 'partial\n' });
    const vetted = await vetCommand(['python', '-m', 'pytest', '-q', 'src'], { ctx, cwd: ws, home: SANDBOX_HOME, allowedPrograms: ['python'] });
    expect(vetted.args).toEqual(['-m', 'pytest', '-p', 'no:cacheprovider', `--rootdir=${ws}`, `--confcutdir=${ws}`, '-q', 'src']);
  });
});

describe('shell: the child environment is scrubbed', () => {
  const secrets = { LM_TEST_API_KEY: 'sk-should-not-leak', LM_TEST_TOKEN: 'tok-should-not-leak', LM_TEST_PASSWORD: 'pw-should-not-leak' };
  beforeAll(() => Object.assign(process.env, secrets));
  afterAll(() => {
    for (const k of Object.keys(secrets)) delete process.env[k];
  });

  it('buildChildEnv has only the fixed keys plus the policy pins', () => {
    expect(buildChildEnv('/home-x')).toEqual({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/home-x', TMPDIR: '/tmp', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TERM: 'dumb' });
  });

  it('a program that prints its environment sees no parent variables', async () => {
    const tool = createShellTool({ searchPath: [fakeBin, ...SAFE_SEARCH_PATH] });
    const result = await run({ command: 'python env.py' }, tool);
    expect(result.error).toBe(false);
    const keys = String(result.stdout)
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0])
      .sort();
    expect(keys).toEqual(['HOME', 'LANG', 'LC_ALL', 'PATH', 'PWD', 'PYTHONNOUSERSITE', 'TERM', 'TMPDIR']);
    // HOME is never the workspace: a planted ~/.local/…/usercustomize.py or ~/.npmrc would be read from it.
    expect(result.stdout).toContain(`HOME=${SANDBOX_HOME}`);
    expect(result.stdout).not.toMatch(/should-not-leak|KEY|TOKEN|SECRET|PASSWORD/);
  });

  it('real python sees the same scrubbed environment', async () => {
    const tool = createShellTool({ searchPath: [pyBin, ...SAFE_SEARCH_PATH] });
    const result = await run({ command: 'python env.py' }, tool);
    expect(result.error).toBe(false);
    expect(result.stdout).not.toMatch(/should-not-leak/);
    expect(result.stdout).toMatch(/^PATH=/m);
  });
});
