import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../../evals/sim/index.js';
import { createAgentFromConfig } from '../agent-factory.js';
import { loadConfig } from '../config.js';

// A thread's workspace folder is made when a tool first needs it: a plain answer leaves none behind.
const PLAIN = 'Say hello';
const TOOL = 'List the files in my workspace';
const cassettes = [
  { id: 'lazy:plain', threads: [{ agent: '*', user: PLAIN, turns: [{ content: 'Hello!' }] }] },
  { id: 'lazy:tool', threads: [{ agent: '*', user: TOOL, turns: [{ tool_calls: [{ name: 'list_directory', arguments: { dir_path: '.' } }] }, { content: 'It is empty.' }] }] },
];

describe('the workspace of a run', () => {
  let sim: Simulator;
  let root: string;
  beforeAll(async () => {
    sim = await startSimulator({ cassettes });
    root = await mkdtemp(join(tmpdir(), 'lm-lazy-ws-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(root, { recursive: true, force: true });
  });

  const agent = () => createAgentFromConfig(loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sim', LLM_MODEL: 'sim', WORKSPACE_ROOT: root, LOG_LEVEL: 'silent' }));

  it('is not made for a run that calls no tool', async () => {
    const result = await agent().run({ threadId: 'plain-thread', message: PLAIN });
    expect(result.answer).toBe('Hello!');
    expect(existsSync(join(root, 'plain-thread'))).toBe(false);
  });

  it('is made when a tool needs it (the twin: a run that lists the folder has one)', async () => {
    const result = await agent().run({ threadId: 'tool-thread', message: TOOL });
    expect(result.answer).toBe('It is empty.');
    expect(result.toolCalls.map((c) => [c.name, c.error])).toEqual([['list_directory', false]]);
    expect(existsSync(join(root, 'tool-thread'))).toBe(true);
  });
});
