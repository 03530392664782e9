import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { GRADER_IDS } from './graders/index.js';

// The CLI's error rows through the real binary: usage errors exit 2 with a sentence that says where to look,
// never 1 (which means "regressed/blocked") and never a raw stack or ENOENT.

const run = promisify(execFile);
// Each case starts node processes; on a loaded 2-core machine that alone can take longer than the default 30 s.
const SPAWN_TIMEOUT_MS = 180_000;

async function luminamind(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['bin/luminamind', ...args], { env: { ...process.env, OPENAI_BASE_URL: '', LLM_MODEL: '' } });
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

  // The rows run at once: each is a process start, and the machine's cores are the limit, not the test.
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
  it.concurrent.each(rows)('%s exits 2 with a sentence naming where to look', async (_name, row) => {
    const { args, says } = row();
    const { code, stderr } = await luminamind(...args);
    expect(stderr).not.toMatch(/ENOENT|\n\s+at /);
    for (const piece of says) expect(stderr).toContain(piece);
    expect(code).toBe(2);
  }, SPAWN_TIMEOUT_MS);

  it.concurrent('the twin: the same folder with known graders loads (and only the filter stops it)', async () => {
    const { code, stderr } = await luminamind('eval', '--dataset', folder('good'), '--filter', 'zzz');
    expect(stderr).not.toMatch(/is invalid/);
    expect(stderr).toMatch(/--filter zzz matches no case/);
    expect(code).toBe(2);
  }, SPAWN_TIMEOUT_MS);
});
