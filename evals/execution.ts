import { cp, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { RunResult } from '../agent/src/index.js';
import { HarnessFailedError } from './errors.js';
import type { Trajectory } from './graders/index.js';
import type { Job } from './types.js';

// What every target does around a run: lay out the workspace, turn the runs into a trajectory, name a failure.

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A harness failure as data: its typed code (or EVL_ERR_HARNESS_FAILED) and its message, with the cause's when there is one. */
export function harnessError(err: unknown): { code: string; message: string } {
  const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : 'EVL_ERR_HARNESS_FAILED';
  const cause = err instanceof Error && err.cause !== undefined ? ` (cause: ${errorMessage(err.cause)})` : '';
  return { code, message: `${errorMessage(err)}${cause}`.slice(0, 2000) || 'unknown error' };
}

/** A fresh workspace for one run: the shared fixture workspace copied, then the case's inline files; `at` picks the directory. */
export async function prepareWorkspace(c: Job['c'], workspacesDir: string, at?: string): Promise<string> {
  const dir = at ?? (await mkdtemp(join(tmpdir(), 'lm-eval-ws-')));
  await mkdir(dir, { recursive: true });
  if (c.fixtures.workspace) await cp(join(workspacesDir, c.fixtures.workspace), dir, { recursive: true });
  for (const [path, text] of Object.entries(c.fixtures.files)) {
    const full = resolve(dir, path);
    if (!full.startsWith(dir + sep)) throw new HarnessFailedError(c.id, `fixture file ${path} escapes the workspace`);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return dir;
}

/** The graders' view of a case's runs (one per user turn): the last answer, every tool call, summed usage. */
export function trajectoryOf(c: Job['c'], runs: Pick<RunResult, 'answer' | 'toolCalls' | 'todos' | 'usage'>[], workspaceRoot: string | undefined): Trajectory {
  return {
    answer: runs.at(-1)?.answer ?? '',
    answers: runs.map((r) => r.answer),
    turns: c.input,
    toolCalls: runs.flatMap((r) => r.toolCalls),
    todos: runs.at(-1)?.todos ?? [],
    usage: runs.reduce(
      (u, r) => ({ calls: u.calls + r.usage.calls, inputTokens: u.inputTokens + r.usage.inputTokens, outputTokens: u.outputTokens + r.usage.outputTokens, costUsd: u.costUsd + r.usage.costUsd }),
      { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ),
    context: c.fixtures.context,
    workspaceRoot,
  };
}
