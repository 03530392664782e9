import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { runCliInProcess } from '../bin/run-cli.test-support.js';
import { GRADER_IDS } from './graders/index.js';

// The CLI's error rows: usage errors exit 2 with a sentence that says where to look, never 1 (which means
// "regressed/blocked") and never a raw stack or ENOENT. The rows run the CLI's main() in this process (a spawn
// spends ~2.5 s of CPU loading the eval command's TypeScript); one row also runs the real binary, where an error
// that escaped main() would show as the process's stack trace and exit status.

const run = promisify(execFile);
const ENV = { OPENAI_BASE_URL: '', LLM_MODEL: '' };
// A process start; on a loaded 2-core machine that alone can take longer than the default 30 s.
const SPAWN_TIMEOUT_MS = 180_000;

async function luminamind(...args: string[]): Promise<{ code: number; stderr: string }> {
  return runCliInProcess(args, ENV);
}

async function luminamindProcess(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['bin/luminamind', ...args], { env: { ...process.env, ...ENV } });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('luminamind eval: error rows over the real CLI', () => {
  let dir: string;
  const folder = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lm-cli-errors-'));
    const [one] = (parse(await readFile('datasets/regression/file-search.yaml', 'utf8')) as { cases: { id: string; expect: { grader: string }[] }[] }).cases;
    const write = async (name: string, text: string) => {
      await mkdir(folder(name), { recursive: true });
      await writeFile(join(folder(name), 'cases.yaml'), text);
    };
    await write('good', stringify({ cases: [one] }));
    await write('bad-grader', stringify({ cases: [{ ...one!, expect: [...one!.expect, { grader: 'no-such-grader' }] }] }));
    await write('bad-yaml', 'cases:\n  - id: broken\n    input: [unclosed\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // Each row: the arguments and the pieces the message must hold (built lazily: the temp folder exists only then).
  const rows: [string, () => { args: string[]; says: string[] }][] = [
    ['a filter that matches nothing', () => ({ args: ['eval', '--filter', 'zzz'], says: ['--filter zzz matches no case'] })],
    ['a dataset folder that does not exist', () => ({ args: ['eval', '--dataset', folder('missing')], says: [`Dataset ${folder('missing')} is invalid`, 'there is no folder at this path'] })],
    ['a YAML syntax error', () => ({ args: ['eval', '--dataset', folder('bad-yaml')], says: [`${join(folder('bad-yaml'), 'cases.yaml')}:4:1 is invalid`, 'YAML syntax error'] })],
    [
      'an unknown grader in --dataset DIR',
      () => ({
        args: ['eval', '--dataset', folder('bad-grader')],
        says: [`Dataset ${folder('bad-grader')} is invalid`, `(${join(folder('bad-grader'), 'cases.yaml')}): unknown grader "no-such-grader"; known graders: ${GRADER_IDS.join(', ')}`],
      }),
    ],
  ];
  // In turn, not concurrently: an in-process run holds the process's stdout, stderr and environment while it runs.
  it.each(rows)('%s exits 2 with a sentence naming where to look', async (_name, row) => {
    const { args, says } = row();
    const { code, stderr } = await luminamind(...args);
    expect(stderr).not.toMatch(/ENOENT|\n\s+at /);
    for (const piece of says) expect(stderr).toContain(piece);
    expect(code).toBe(2);
  });

  it('the twin: the same folder with known graders loads (and only the filter stops it)', async () => {
    const { code, stderr } = await luminamind('eval', '--dataset', folder('good'), '--filter', 'zzz');
    expect(stderr).not.toMatch(/is invalid/);
    expect(stderr).toMatch(/--filter zzz matches no case/);
    expect(code).toBe(2);
  });

  it('through the real binary: a missing dataset folder exits 2 with the sentence, no stack trace', async () => {
    const { code, stderr } = await luminamindProcess('eval', '--dataset', folder('missing'));
    expect(stderr).not.toMatch(/ENOENT|\n\s+at /);
    expect(stderr).toContain(`Dataset ${folder('missing')} is invalid`);
    expect(code).toBe(2);
  }, SPAWN_TIMEOUT_MS);
});
