import { rm } from 'node:fs/promises';
import { createAgentFromConfig, type Config, type ModelEndpoint, type RunResult } from '../../agent/src/index.js';
import { budgetMeter } from '../budget.js';
import { HarnessFailedError } from '../errors.js';
import { harnessError, prepareWorkspace, trajectoryOf } from '../execution.js';
import type { FixtureServer } from '../fixture-server.js';
import type { Execution, Target } from '../types.js';

/** The eval run's configuration: the model under test, the fixture server opened through the SSRF allowlist, auto approvals. */
export function evalConfig(base: Config, model: ModelEndpoint, web: FixtureServer | undefined, workspaceRoot: string): Config {
  const b = base;
  return {
    ...b,
    llm: { ...b.llm, primary: model, retry: { ...b.llm.retry, minDelayMs: Math.min(b.llm.retry.minDelayMs, 50) } },
    agent: { ...b.agent, approvalPolicy: 'auto' },
    tools: { ...b.tools, workspaceRoot },
    web: web
      ? {
          ...b.web,
          allowHosts: [...b.web.allowHosts, `127.0.0.1:${web.port}`],
          caFile: web.caFile,
          retries: 0,
          searchDisabled: false,
          search: { ...b.web.search, google: { ...b.web.search.google, apiKey: undefined, cseId: undefined }, serper: { apiKey: 'eval-fixture', baseUrl: `${web.url}/search` } },
          weather: { apiKey: 'eval-fixture', baseUrl: `${web.url}/weather` },
        }
      : b.web,
  } as Config;
}

/**
 * The agent in this process: every user turn of the case on one thread, in a fresh copy of its workspace. The
 * case's budget is watched call by call and stops the run when crossed (the agent's failure, not the harness's).
 */
export const inProcessTarget = {
  id: 'in-process',
  description: 'the agent graph in this process, through agent/src/index.ts',
  async execute(job, task, web): Promise<Execution> {
    const { c } = job;
    const started = performance.now();
    let workspace: string | undefined;
    const cleanup = async (): Promise<void> => {
      if (workspace) await rm(workspace, { recursive: true, force: true });
    };
    const meter = budgetMeter(c.budget, task.timeoutMs);
    const runs: RunResult[] = [];
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      workspace = await prepareWorkspace(c, task.workspacesDir);
      const config = evalConfig(task.config, job.model, web, workspace);
      const overrides = task.toolOverrides ?? {};
      const agent = createAgentFromConfig(config, {
        beforeToolCall: ({ name, args }) => overrides[name]?.(args) as never,
        onCall: meter.onCall,
      });
      for (const message of c.input) {
        const r = await agent.run({ threadId: 'eval', message, workspaceRoot: workspace, signal: meter.signal });
        runs.push(r);
        if (meter.exceeded()) break;
        if (r.status !== 'completed') throw new HarnessFailedError(c.id, `run ended with status ${r.status}`);
      }
      const overBudget = meter.exceeded();
      return { job, trajectory: trajectoryOf(c, runs, workspace), latencyMs: elapsed(), cleanup, ...(overBudget ? { overBudget } : {}) };
    } catch (err) {
      const overBudget = meter.exceeded();
      // Stopped by its budget: the agent's failure, graded on what it did until then.
      if (overBudget) return { job, trajectory: trajectoryOf(c, runs, workspace), overBudget, latencyMs: elapsed(), cleanup };
      return { job, error: harnessError(err), latencyMs: elapsed(), cleanup };
    } finally {
      meter.dispose();
    }
  },
} satisfies Target;
