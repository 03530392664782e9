import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

// `--help` must not load the heavy packages: which modules a process resolves is recorded by a module hook
// (node:module register), so the test checks what was loaded, not how long it took.

const run = promisify(execFile);
// Each case starts node processes; on a loaded 2-core machine that alone can take longer than the default 30 s.
const SPAWN_TIMEOUT_MS = 180_000;
const HEAVY = /\/node_modules\/(?:@langchain|langchain|promptfoo|deepagents)\//;

const HOOKS = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(file, r.url + '\\n');
  return r;
}`;

describe('what --help loads', () => {
  let dir: string;
  let register: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lm-help-modules-'));
    await writeFile(join(dir, 'hooks.mjs'), HOOKS);
    register = join(dir, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { file: process.env.LM_MODULE_TRACE } });\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const loaded = async (name: string, args: string[]): Promise<string[]> => {
    const trace = join(dir, `${name}.txt`);
    await run(process.execPath, ['--import', register, ...args], { env: { ...process.env, LM_MODULE_TRACE: trace } });
    return (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
  };

  it.concurrent.each([['serve'], ['chat'], ['tool'], ['sim'], ['eval']])('%s --help loads no LangChain or promptfoo', async (command) => {
    const urls = await loaded(command, ['bin/luminamind', command, '--help']);
    expect(urls.some((u) => u.endsWith('/bin/cli.ts'))).toBe(true);
    expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
  }, SPAWN_TIMEOUT_MS);

  it.concurrent('the twin: the trace does see LangChain when the model module is loaded', async () => {
    const urls = await loaded('twin', ['--import', 'tsx', '-e', "await import('./agent/src/llm/index.ts')"]);
    expect(urls.filter((u) => HEAVY.test(u)).length).toBeGreaterThan(0);
  }, SPAWN_TIMEOUT_MS);
});
