import { join } from 'node:path';
import { ChatResponseSchema, type ChatResponse } from '../../agent/src/index.js';
import { budgetMeter } from '../budget.js';
import { HarnessFailedError } from '../errors.js';
import { harnessError, prepareWorkspace, trajectoryOf } from '../execution.js';
import type { Execution, HttpTarget, Job, Target, Task } from '../types.js';

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
 * APPROVAL_POLICY=auto; a run left awaiting approval is a harness error. A budget's latency stops the request;
 * its model calls, tokens and cost are checked on the answer (the service's run cannot be stopped midway).
 *
 * @example
 *   await executeOverHttp(job, task, { kind: 'http', url: 'http://127.0.0.1:8000', workspaceRoot: '/srv/ws' });
 */
export async function executeOverHttp(job: Job, task: Task, target: HttpTarget): Promise<Execution> {
  const { c } = job;
  const started = performance.now();
  const threadId = threadIdOf(job);
  const needsFiles = Boolean(c.fixtures.workspace) || Object.keys(c.fixtures.files).length > 0;
  const workspace = target.workspaceRoot ? join(target.workspaceRoot, threadId) : undefined;
  // The service owns its workspaces; the harness leaves them for the service's own retention.
  const cleanup = async (): Promise<void> => undefined;
  const meter = budgetMeter(c.budget, target.timeoutMs ?? task.timeoutMs);
  const elapsed = (): number => Math.round(performance.now() - started);
  const runs: ChatResponse[] = [];
  const trajectory = (): Execution['trajectory'] =>
    trajectoryOf(
      c,
      runs.map((r) => ({
        answer: r.answer,
        todos: r.todos,
        usage: r.usage,
        toolCalls: r.tool_calls.map((t) => ({ id: t.id, name: t.name, args: t.args, output: t.output, error: t.error, durationMs: t.duration_ms })),
      })),
      workspace,
    );
  try {
    if (needsFiles && !workspace) throw new HarnessFailedError(c.id, 'the case needs workspace fixtures, but the HTTP target has no workspace root the harness can write');
    if (workspace) await prepareWorkspace(c, task.workspacesDir, workspace);
    for (const message of c.input) {
      const r = await post(target, threadId, message, meter.signal);
      runs.push(r);
      if (r.status !== 'completed') throw new HarnessFailedError(c.id, `run ended with status ${r.status} (is the service running with APPROVAL_POLICY=auto?)`);
    }
    return { job, trajectory: trajectory(), latencyMs: elapsed(), cleanup };
  } catch (err) {
    const overBudget = meter.exceeded();
    if (overBudget) return { job, trajectory: trajectory(), overBudget, latencyMs: elapsed(), cleanup };
    return { job, error: harnessError(err), latencyMs: elapsed(), cleanup };
  } finally {
    meter.dispose();
  }
}

export const httpTarget = {
  id: 'http',
  description: 'a deployed service over HTTP (POST /v1/chat on one thread per case)',
  execute(job, task) {
    if (task.target.kind !== 'http') throw new HarnessFailedError(job.c.id, 'the http target needs --target URL');
    return executeOverHttp(job, task, task.target);
  },
} satisfies Target;
