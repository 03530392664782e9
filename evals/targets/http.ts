import { join } from 'node:path';
import { ChatResponseSchema, type ChatResponse } from '../../agent/src/index.js';
import { HarnessFailedError } from '../errors.js';
import { harnessError, prepareWorkspace, trajectoryOf, type Execution, type Job, type RunOptions } from '../runner.js';

export interface HttpTarget {
  kind: 'http';
  /** Base URL of the service, e.g. http://127.0.0.1:8000 */
  url: string;
  apiKey?: string;
  /**
   * The service's WORKSPACE_ROOT when the harness can reach it (same machine or a shared volume): fixture files
   * are written to `<root>/<thread>` before the run and the workspace graders read them after. Without it, cases
   * with workspace fixtures are harness errors and workspace graders have nothing to inspect.
   */
  workspaceRoot?: string;
  timeoutMs?: number;
}

function threadIdOf(job: Job): string {
  const raw = `eval-${job.c.id}-${job.variant}-${job.repeat}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);
}

async function post(target: HttpTarget, threadId: string, message: string, signal: AbortSignal): Promise<ChatResponse> {
  const res = await fetch(new URL('/v1/chat', target.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) },
    body: JSON.stringify({ thread_id: threadId, message }),
    signal,
  });
  const text = await res.text();
  if (!res.ok) throw new HarnessFailedError(threadId, `POST /v1/chat answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  const parsed = ChatResponseSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new HarnessFailedError(threadId, `POST /v1/chat answered an unexpected body: ${parsed.error.message.slice(0, 300)}`);
  return parsed.data;
}

/**
 * The deployed service as the target: each user turn is a `POST /v1/chat` on one thread, and the trajectory
 * is read from the response (answer, tool calls with outputs, todos, usage). The service must run with
 * APPROVAL_POLICY=auto; a run left awaiting approval is a harness error.
 *
 * @example
 *   await runEval(cases, { mode: 'live', config, target: { kind: 'http', url: 'http://127.0.0.1:8000', workspaceRoot: '/srv/ws' } });
 */
export async function executeOverHttp(job: Job, opts: RunOptions, target: HttpTarget): Promise<Execution> {
  const { c } = job;
  const started = performance.now();
  const threadId = threadIdOf(job);
  const needsFiles = Boolean(c.fixtures.workspace) || Object.keys(c.fixtures.files).length > 0;
  const workspace = target.workspaceRoot ? join(target.workspaceRoot, threadId) : undefined;
  // The service owns its workspaces; the harness leaves them for the service's own retention.
  const cleanup = async (): Promise<void> => undefined;
  try {
    if (needsFiles && !workspace) throw new HarnessFailedError(c.id, 'the case needs workspace fixtures, but the HTTP target has no workspace root the harness can write');
    if (workspace) await prepareWorkspace(c, opts.workspacesDir ?? 'datasets/fixtures/workspaces', workspace);
    const signal = AbortSignal.timeout(target.timeoutMs ?? opts.timeoutMs ?? 60_000);
    const runs: ChatResponse[] = [];
    for (const message of c.input) {
      const r = await post(target, threadId, message, signal);
      runs.push(r);
      if (r.status !== 'completed') throw new HarnessFailedError(c.id, `run ended with status ${r.status} (is the service running with APPROVAL_POLICY=auto?)`);
    }
    const trajectory = trajectoryOf(
      c,
      runs.map((r) => ({
        answer: r.answer,
        todos: r.todos,
        usage: r.usage,
        toolCalls: r.tool_calls.map((t) => ({ id: t.id, name: t.name, args: t.args, output: t.output, error: t.error, durationMs: t.duration_ms })),
      })),
      workspace,
    );
    return { job, trajectory, latencyMs: Math.round(performance.now() - started), cleanup };
  } catch (err) {
    return { job, error: harnessError(err), latencyMs: Math.round(performance.now() - started), cleanup };
  }
}
