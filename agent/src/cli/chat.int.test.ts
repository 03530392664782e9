import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startSimulator, type Simulator } from '../../../evals/sim/index.js';
import { createAgentFromConfig } from '../agent-factory.js';
import { loadConfig } from '../config.js';
import { runChat } from './chat.js';

// The terminal chat against the real simulator and the README's "Try it" cassettes (datasets/cassettes).

describe('luminamind chat with the simulator', () => {
  let sim: Simulator;
  let root: string;
  beforeAll(async () => {
    sim = await startSimulator({ cassettes: 'datasets/cassettes' });
    root = await mkdtemp(join(tmpdir(), 'lm-chat-'));
  });
  afterEach(() => sim.setFaults({}));
  afterAll(async () => {
    await sim.close();
    await rm(root, { recursive: true, force: true });
  });

  const chat = async (...lines: string[]): Promise<string> => {
    const config = loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sim', LLM_MODEL: 'sim', LLM_MAX_ATTEMPTS: '1', WORKSPACE_ROOT: root, LOG_LEVEL: 'silent' });
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

  it('a simulator miss moves the chat to a new thread, so the next cassette prompt is answered', async () => {
    const out = await chat('What is the capital of France?', 'Hello, how are you?', '/exit');
    expect(out).toContain('No cassette for this conversation');
    expect(out).toMatch(/answers only the conversations of its cassettes, each opening a thread; new thread /);
    expect(out).toContain("Hello! I'm doing well and ready to help.");
  });

  it('the twin: an error that is not a miss keeps the thread, and its unanswered message makes the next prompt miss', async () => {
    sim.setFaults({ failNext: 1, errorStatus: 400 });
    const out = await chat('Hello, how are you?', 'Hello, how are you?', '/exit');
    expect(out).not.toContain("Hello! I'm doing well");
    expect(out).toContain('No cassette for this conversation');
  });

  it('the approval prompt: write_file asks, and approving writes the file', async () => {
    const out = await chat('Write a note saying hello to hello.txt.', 'a', '/exit');
    expect(out).toContain('approval needed: write_file {"file_path":"hello.txt","text":"hello\\n"}');
    expect(out).toMatch(/✓ write_file/);
    const thread = /thread (t-\w+)/.exec(out)![1]!;
    expect(await readFile(join(root, thread, 'hello.txt'), 'utf8')).toBe('hello\n');
  });
});
