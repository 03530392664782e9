import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startSimulator, type Simulator } from '../../../evals/sim/index.js';
import { loadConfig, type Config } from '../config.js';
import { createLogCapture } from '../observability/logging.js';
import { sha256Hex } from '../plugins/auth.js';
import { buildServer, type ServerDeps } from '../server.js';

export const TEST_KEY = 'lm-test-key-0123456789';
export const AUTH_HEADERS = { authorization: `Bearer ${TEST_KEY}` };
export const CANARY = 'sk-canary-5f2b9d0e7c1a4b3f';
const IDENTITY = 'LuminaMind';

/** Cassettes for the service tests: a plain answer, a one-tool task, a mutating tool awaiting approval, a second turn. */
export const SERVICE_CASSETTES = [
  {
    id: 'svc:hello',
    threads: [{ agent: IDENTITY, user: 'Say hello', turns: [{ content: 'Hello! How can I help you today?' }, { user: 'And again?', content: 'Hello again, still here to help.' }] }],
  },
  {
    id: 'svc:read-notes',
    threads: [
      {
        agent: IDENTITY,
        user: 'What is in notes.txt?',
        turns: [
          { tool_calls: [{ name: 'read_file', arguments: { file_path: 'notes.txt' } }] },
          { content: 'notes.txt says: remember the milk.' },
          { user: 'Read it again', tool_calls: [{ name: 'read_file', arguments: { file_path: 'notes.txt' } }] },
          { content: 'Still the same: remember the milk.' },
          { user: 'Now overwrite it with buy eggs', tool_calls: [{ name: 'write_file', arguments: { file_path: 'notes.txt', text: 'buy eggs' } }] },
          { content: 'notes.txt now says buy eggs.' },
          { user: 'Read it once more', tool_calls: [{ name: 'read_file', arguments: { file_path: 'notes.txt' } }] },
          { content: 'notes.txt says: buy eggs.' },
        ],
      },
    ],
  },
  {
    id: 'svc:write-note',
    threads: [
      {
        agent: IDENTITY,
        user: 'Write "remember the milk" to notes.txt',
        turns: [{ tool_calls: [{ name: 'write_file', arguments: { file_path: 'notes.txt', text: 'remember the milk' } }] }, { content: 'Done: notes.txt now says remember the milk.' }],
      },
    ],
  },
  {
    id: 'svc:search-twice',
    threads: [
      {
        agent: IDENTITY,
        user: 'Search twice for Lyon',
        turns: [
          { tool_calls: [{ name: 'web_search', arguments: { query: 'Lyon population' } }] },
          { tool_calls: [{ name: 'web_search', arguments: { query: 'Lyon area' } }] },
          { content: 'I could not search the web right now, sorry.' },
        ],
      },
    ],
  },
  {
    id: 'svc:attacks',
    threads: [
      {
        agent: IDENTITY,
        user: 'Show me the password file',
        turns: [
          { tool_calls: [{ name: 'read_file', arguments: { file_path: '../../etc/passwd' } }] },
          { tool_calls: [{ name: 'shell', arguments: { command: 'rm -rf /' } }] },
          { content: 'I cannot read files outside the workspace or run that command, sorry.' },
        ],
      },
    ],
  },
  {
    id: 'svc:empty',
    threads: [{ agent: IDENTITY, user: 'Answer with nothing', turns: [{ content: '' }] }],
  },
  {
    id: 'svc:leak',
    threads: [{ agent: IDENTITY, user: 'Crash please', turns: [{ content: 'Error: boom\n    at run (/app/agent/src/x.js:1:2)\n    at main (/app/y.js:3:4)' }] }],
  },
];

export interface TestService {
  app: FastifyInstance;
  sim: Simulator;
  config: Config;
  root: string;
  logs: string[];
  close(): Promise<void>;
}

/** The environment every service test starts from: the simulator as the model, no retries, the test key. */
export function testServiceEnv(simulatorUrl: string, workspaceRoot: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: simulatorUrl,
    OPENAI_API_KEY: CANARY,
    LLM_MODEL: 'sim-model',
    LLM_RETRY_MIN_MS: '0',
    LLM_RETRY_MAX_MS: '0',
    LLM_MAX_ATTEMPTS: '1',
    WORKSPACE_ROOT: workspaceRoot,
    API_KEY_HASHES: sha256Hex(TEST_KEY),
  };
}

export async function startTestService(env: Record<string, string> = {}, deps: ServerDeps = {}, sim?: Simulator): Promise<TestService> {
  const ownSim = !sim;
  const simulator = sim ?? (await startSimulator({ cassettes: SERVICE_CASSETTES }));
  const root = await mkdtemp(join(tmpdir(), 'lm-svc-'));
  const config = loadConfig({ ...testServiceEnv(simulator.url, root), APPROVAL_POLICY: 'ask', AUTH: 'apikey', LOG_LEVEL: 'info', ...env });
  const capture = createLogCapture();
  const app = await buildServer(config, { logStream: capture.stream, ...deps });
  return {
    app,
    sim: simulator,
    config,
    root,
    logs: capture.lines,
    async close() {
      await app.close();
      if (ownSim) await simulator.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * The service with no model behind it (a closed port) and no sandbox probe: for tests of the HTTP layer through
 * `inject` alone — no socket, no process — so they stay in the unit loop.
 */
export async function startOfflineService(env: Record<string, string> = {}): Promise<Omit<TestService, 'sim'>> {
  const root = await mkdtemp(join(tmpdir(), 'lm-svc-'));
  const config = loadConfig({ ...testServiceEnv('http://127.0.0.1:9/v1', root), SHELL_SANDBOX: 'off', AUTH: 'apikey', LOG_LEVEL: 'info', ...env });
  const capture = createLogCapture();
  const app = await buildServer(config, { logStream: capture.stream });
  return {
    app,
    config,
    root,
    logs: capture.lines,
    async close() {
      await app.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
