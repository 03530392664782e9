import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startSimulator, type Simulator } from '../../../evals/sim/index.js';
import { createAgentFromConfig } from '../agent-factory.js';
import { loadConfig } from '../config.js';
import { runChat } from './chat.js';

// Approvals that do not end in a successful call: the chat shows a ✘ line for each, so a person sees that
// nothing was written (a rejected call, and an approved call whose arguments the tool refuses).

const IDENTITY = 'LuminaMind';
const CASSETTES = [
  {
    id: 'chat:reject',
    threads: [
      {
        agent: IDENTITY,
        user: 'Write hello to notes.txt',
        turns: [{ tool_calls: [{ name: 'write_file', arguments: { file_path: 'notes.txt', text: 'hello' } }] }, { content: 'Understood, I did not write notes.txt.' }],
      },
    ],
  },
  {
    id: 'chat:invalid-args',
    threads: [
      {
        agent: IDENTITY,
        user: 'Write to the file with no name',
        turns: [{ tool_calls: [{ name: 'write_file', arguments: { file_path: 42, text: 'hello' } }] }, { content: 'The write failed: the file name was invalid.' }],
      },
    ],
  },
];

describe('luminamind chat: rejected and failed approvals', () => {
  let sim: Simulator;
  let root: string;
  beforeAll(async () => {
    sim = await startSimulator({ cassettes: CASSETTES });
    root = await mkdtemp(join(tmpdir(), 'lm-chat-'));
  });
  afterAll(async () => {
    await sim?.close();
    await rm(root, { recursive: true, force: true });
  });

  const chat = async (...lines: string[]): Promise<string> => {
    const config = loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sim', LLM_MODEL: 'sim', LLM_MAX_ATTEMPTS: '1', WORKSPACE_ROOT: root, LOG_LEVEL: 'silent', APPROVAL_POLICY: 'ask' });
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    input.end(`${lines.join('\n')}\n`);
    await runChat(createAgentFromConfig(config), { input, output }, `t-${Math.random().toString(36).slice(2)}`);
    return text;
  };

  it('a rejected call gets a ✘ line naming the tool, and nothing is written', async () => {
    const out = await chat('Write hello to notes.txt', 'r', '/exit');
    expect(out).toContain('approval needed: write_file');
    expect(out).toMatch(/✘ write_file .*rejected/);
    expect(out).not.toMatch(/✓ write_file/);
    const thread = /thread (t-\w+)/.exec(out)![1]!;
    expect(await readdir(join(root, thread)).catch(() => [])).not.toContain('notes.txt');
  });

  it('an approved call whose arguments are invalid gets a ✘ line with the reason', async () => {
    const out = await chat('Write to the file with no name', 'a', '/exit');
    expect(out).toMatch(/✘ write_file \[AGT_ERR_TOOL_INPUT_INVALID\] Invalid input for write_file: .*file_path/);
  });

  it('the twin: approving valid arguments shows the ✓ line and no ✘', async () => {
    const out = await chat('Write hello to notes.txt', 'a', '/exit');
    expect(out).toMatch(/✓ write_file/);
    expect(out).not.toContain('✘');
  });
});
