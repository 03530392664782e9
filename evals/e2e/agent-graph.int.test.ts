import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentFromConfig, loadConfig, MAIN_AGENT_NAME, type LuminaAgent } from '../../agent/src/index.js';
import { startSimulator, type Simulator } from '../sim/index.js';

// The whole agent (graph, subagents, tools, resilient model client) over real HTTP against the simulator.

const PATCH = `--- a/src/greet.js
+++ b/src/greet.js
@@ -1,3 +1,3 @@
 export function greet(name) {
-  return 'helo, ' + name;
+  return 'hello, ' + name;
 }
`;
const TASK = 'Fix the typo "helo" in src/greet.js and verify the fix with grep.';
const SUBTASK = 'In src/greet.js replace the typo helo with hello using a patch, then run grep -n hello src/greet.js and report.';

const fixTypoCassette = {
  id: 'e2e:fix-typo',
  threads: [
    {
      agent: MAIN_AGENT_NAME,
      user: TASK,
      turns: [
        {
          tool_calls: [
            {
              name: 'write_todos',
              arguments: {
                todos: [
                  { content: 'Fix the typo in src/greet.js', status: 'in_progress' },
                  { content: 'Verify with grep', status: 'pending' },
                ],
              },
            },
          ],
        },
        { tool_calls: [{ name: 'task', arguments: { description: SUBTASK, subagent_type: 'code-executor' } }] },
        {
          tool_calls: [
            {
              name: 'write_todos',
              arguments: {
                todos: [
                  { content: 'Fix the typo in src/greet.js', status: 'completed' },
                  { content: 'Verify with grep', status: 'completed' },
                ],
              },
            },
          ],
        },
        { content: "Fixed: src/greet.js now returns 'hello, ' + name, and grep finds it on line 2." },
      ],
    },
    {
      agent: 'code-executor',
      user: SUBTASK,
      turns: [
        { tool_calls: [{ name: 'read_file', arguments: { file_path: 'src/greet.js' } }] },
        { tool_calls: [{ name: 'apply_patch', arguments: { target_file: 'src/greet.js', diff_content: PATCH } }] },
        { tool_calls: [{ name: 'shell', arguments: { command: 'grep -n hello src/greet.js' } }] },
        { content: 'Patched src/greet.js (helo → hello); grep shows line 2.' },
      ],
    },
  ],
};

const writeNoteCassette = {
  id: 'e2e:write-note',
  threads: [
    {
      agent: MAIN_AGENT_NAME,
      user: 'Write "remember the milk" to notes.txt',
      turns: [
        { tool_calls: [{ name: 'write_file', arguments: { file_path: 'notes.txt', text: 'remember the milk' } }] },
        { content: 'Done.' },
      ],
    },
  ],
};

const changeOfMindCassette = {
  id: 'e2e:change-of-mind',
  threads: [
    {
      agent: MAIN_AGENT_NAME,
      user: 'Delete old.txt',
      turns: [
        { tool_calls: [{ name: 'file_delete', arguments: { file_path: 'old.txt' } }] },
        { user: 'Actually, keep it.', content: 'Understood, old.txt stays.' },
      ],
    },
  ],
};

describe('the agent graph against the simulator over HTTP', () => {
  let sim: Simulator;
  let root: string;

  beforeAll(async () => {
    sim = await startSimulator({ cassettes: [fixTypoCassette, writeNoteCassette, changeOfMindCassette] });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lm-e2e-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function agentWith(policy: 'auto' | 'ask' | 'deny'): LuminaAgent {
    const config = loadConfig({
      OPENAI_BASE_URL: sim.url,
      OPENAI_API_KEY: 'sim',
      LLM_MODEL: 'sim-model',
      WORKSPACE_ROOT: root,
      APPROVAL_POLICY: policy,
      LLM_RETRY_MIN_MS: '0',
    });
    return createAgentFromConfig(config);
  }

  it('plans with todos, delegates to code-executor, reads, patches, runs grep and answers', async () => {
    const agent = agentWith('auto');
    await mkdir(join(root, 't1', 'src'), { recursive: true });
    await writeFile(join(root, 't1', 'src/greet.js'), "export function greet(name) {\n  return 'helo, ' + name;\n}\n");

    const result = await agent.run({ threadId: 't1', message: TASK });

    expect(result.status).toBe('completed');
    expect(result.answer).toContain('Fixed');
    expect(await readFile(join(root, 't1', 'src/greet.js'), 'utf8')).toBe("export function greet(name) {\n  return 'hello, ' + name;\n}\n");
    expect(result.toolCalls.map((c) => c.name)).toEqual(['read_file', 'apply_patch', 'shell']);
    expect(result.toolCalls.every((c) => !c.error)).toBe(true);
    expect(JSON.stringify(result.toolCalls[2]!.output)).toContain("2:  return 'hello, ' + name;");
    expect(result.todos).toEqual([
      { content: 'Fix the typo in src/greet.js', status: 'completed' },
      { content: 'Verify with grep', status: 'completed' },
    ]);
    expect(result.usage.calls).toBe(8);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const history = await agent.history('t1');
    expect(history.length).toBeGreaterThan(4);
  });

  it('asks for approval of a mutating tool and writes only after approval', async () => {
    const agent = agentWith('ask');
    const first = await agent.run({ threadId: 'ask1', message: 'Write "remember the milk" to notes.txt' });
    expect(first.status).toBe('awaiting_approval');
    expect(first.pendingActions).toEqual([
      expect.objectContaining({ name: 'write_file', args: { file_path: 'notes.txt', text: 'remember the milk' } }),
    ]);
    await expect(readFile(join(root, 'ask1', 'notes.txt'), 'utf8')).rejects.toThrow();

    const resumed = await agent.run({ threadId: 'ask1', decisions: [{ type: 'approve' }] });
    expect(resumed.status).toBe('completed');
    expect(resumed.answer).toBe('Done.');
    expect(await readFile(join(root, 'ask1', 'notes.txt'), 'utf8')).toBe('remember the milk');
  });

  it('does not write when the person rejects', async () => {
    const agent = agentWith('ask');
    await agent.run({ threadId: 'ask2', message: 'Write "remember the milk" to notes.txt' });
    const resumed = await agent.run({ threadId: 'ask2', decisions: [{ type: 'reject', message: 'Rejected by user' }] });
    expect(resumed.status).toBe('completed');
    expect(resumed.toolCalls).toEqual([]);
    await expect(readFile(join(root, 'ask2', 'notes.txt'), 'utf8')).rejects.toThrow();
  });

  it('refuses mutating tools outright under the deny policy', async () => {
    const agent = agentWith('deny');
    const result = await agent.run({ threadId: 'deny1', message: 'Write "remember the milk" to notes.txt' });
    expect(result.status).toBe('completed');
    expect(result.toolCalls).toEqual([]);
    await expect(readFile(join(root, 'deny1', 'notes.txt'), 'utf8')).rejects.toThrow();
    const history = await agent.history('deny1');
    expect(history.map((m) => String(m.content)).join('\n')).toContain('Rejected by policy');
  });

  it('cancels a pending call when a new message arrives instead of a decision (dangling tool call patched)', async () => {
    const agent = agentWith('ask');
    await mkdir(join(root, 'mind'), { recursive: true });
    await writeFile(join(root, 'mind', 'old.txt'), 'keep me');
    const first = await agent.run({ threadId: 'mind', message: 'Delete old.txt' });
    expect(first.status).toBe('awaiting_approval');

    const second = await agent.run({ threadId: 'mind', message: 'Actually, keep it.' });
    expect(second.status).toBe('completed');
    expect(second.answer).toBe('Understood, old.txt stays.');
    expect(await readFile(join(root, 'mind', 'old.txt'), 'utf8')).toBe('keep me');
    const history = (await agent.history('mind')).map((m) => String(m.content)).join('\n');
    expect(history).toContain('was cancelled - another message came in before it could be completed.');
  });

  it('streams tokens tagged with their agent: the subagent report and the main answer apart', async () => {
    const agent = agentWith('auto');
    await mkdir(join(root, 'tok', 'src'), { recursive: true });
    await writeFile(join(root, 'tok', 'src/greet.js'), "export function greet(name) {\n  return 'helo, ' + name;\n}\n");
    const byAgent = new Map<string, string>();
    const result = await agent.run({
      threadId: 'tok',
      message: TASK,
      onToken: (token, source) => byAgent.set(source.agent ?? 'main', (byAgent.get(source.agent ?? 'main') ?? '') + token),
    });
    expect(byAgent.get('code-executor')).toBe('Patched src/greet.js (helo → hello); grep shows line 2.');
    expect(byAgent.get('main')).toBe(result.answer);
  });
});
