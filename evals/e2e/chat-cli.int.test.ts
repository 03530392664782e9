import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN_AGENT_NAME } from '../../agent/src/index.js';
import { startSimulator, type Simulator } from '../sim/index.js';

// `luminamind chat` as a person uses it: a real process, typed lines on stdin, the simulator as the model.

const BIN = join(import.meta.dirname, '../../bin/luminamind');

function chat(env: Record<string, string>, lines: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'chat', '--thread', 'cli1'], {
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

describe('luminamind chat', () => {
  let sim: Simulator;
  let root: string;

  beforeAll(async () => {
    sim = await startSimulator({
      cassettes: [
        {
          id: 'chat:write-note',
          threads: [
            {
              agent: MAIN_AGENT_NAME,
              user: 'Write "remember the milk" to notes.txt',
              turns: [
                { tool_calls: [{ name: 'write_file', arguments: { file_path: 'notes.txt', text: 'remember the milk' } }] },
                { content: 'Done, the note is saved.' },
              ],
            },
          ],
        },
      ],
    });
    root = await mkdtemp(join(tmpdir(), 'lm-chat-'));
  });
  afterAll(async () => {
    await sim?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('shows the approval prompt, runs the tool once approved, prints the answer and exits on /exit', async () => {
    const { code, out } = await chat(
      { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sim', LLM_MODEL: 'sim', WORKSPACE_ROOT: root, APPROVAL_POLICY: 'ask' },
      ['Write "remember the milk" to notes.txt', 'maybe', 's', '/exit'],
    );
    expect(code).toBe(0);
    expect(out).toContain('thread cli1');
    expect(out).toContain('approval needed: write_file');
    expect(out).toContain('✓ write_file');
    expect(out).toContain('luminamind> Done, the note is saved.');
    expect(await readFile(join(root, 'cli1', 'notes.txt'), 'utf8')).toBe('remember the milk');
  });

  it('explains how to configure a model when none is set, with exit code 2', async () => {
    const { code, out } = await chat({ WORKSPACE_ROOT: root }, ['/exit']);
    expect(code).toBe(2);
    expect(out).toContain('AGT_ERR_CONFIG_INVALID');
    expect(out).toContain('OPENAI_BASE_URL');
  });
});
