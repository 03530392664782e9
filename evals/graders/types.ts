import type { z } from 'zod';
import type { Todo, ToolCallRecord } from '../../agent/src/contract/index.js';
import type { GraderResult } from '../report/index.js';

/** What one run of a case produced: the graders' only input besides their params. */
export interface Trajectory {
  /** The final answer (the last turn's). */
  answer: string;
  /** One answer per user turn. */
  answers: string[];
  /** The user turns as sent. */
  turns: string[];
  /** Every tool call of every turn, subagents included, with outputs. */
  toolCalls: ToolCallRecord[];
  todos: Todo[];
  usage: { calls: number; inputTokens: number; outputTokens: number; costUsd: number };
  /** Evidence the user supplied besides the turns (fixtures.context). */
  context: string[];
  /** The run's workspace directory after the run, when the case had one. */
  workspaceRoot?: string;
  /** Wall time of the whole case (every turn), when known. */
  latencyMs?: number;
}

export interface GraderOutcome {
  pass: boolean;
  score: number;
  reason: string;
  /** Not run (e.g. no judge model configured): never counts as a pass, and not as a failure of the case. */
  skipped?: boolean;
  /** Set by graders that detect hallucination (grounding, judge). */
  hallucinated?: boolean;
  /** Judge graders: the models, settings, votes and usage behind the verdict. */
  judge?: GraderResult['judge'];
}

/** A judge model: gets a prompt, returns the raw text. Absent when JUDGE_MODEL is not configured. */
export type JudgeFn = (prompt: string) => Promise<string>;

/** A judge asked for a structured verdict (JSON schema), at a fixed temperature and seed that are recorded with it. */
export interface JudgeModel {
  model: string;
  temperature: number;
  seed: number;
  ask(prompt: string): Promise<{ text: string; usage: { calls: number; input: number; output: number; costUsd: number } }>;
}

export interface GraderDeps {
  /** The plain form (tests, examples): one judge returning text. */
  judge?: JudgeFn;
  /** Judge models (JUDGE_MODEL, comma-separated for several): their majority decides; wins over `judge`. */
  judges?: JudgeModel[];
}

export type GraderKind = 'deterministic' | 'trajectory' | 'workspace' | 'safety' | 'grounding' | 'judge';

/**
 * One grader: validated params, and a pure-ish `grade` over a trajectory. Registered once in
 * evals/graders/index.ts; the conformance test runs every grader's `examples`.
 *
 * @example
 *   export const containsGrader = {
 *     id: 'contains', kind: 'deterministic', description: 'the answer contains every value',
 *     params: z.object({ value: z.string() }),
 *     grade: (p, t) => ({ pass: t.answer.includes(p.value), score: t.answer.includes(p.value) ? 1 : 0, reason: '…' }),
 *     examples: { params: { value: '42' }, pass: { answer: 'It is 42.' }, fail: { answer: 'It is 41.' } },
 *   } satisfies Grader<typeof params>;
 */
export interface Grader<P extends z.ZodType = z.ZodType> {
  id: string;
  kind: GraderKind;
  description: string;
  params: P;
  grade(params: z.infer<P>, trajectory: Trajectory, deps: GraderDeps): GraderOutcome | Promise<GraderOutcome>;
  /** For the conformance test: params, a trajectory that passes and one that fails (partial; the rest defaults). */
  examples: { params: unknown; pass: Partial<Trajectory>; fail: Partial<Trajectory>; deps?: GraderDeps };
}

export function outcome(pass: boolean, reason: string, extra: Partial<GraderOutcome> = {}): GraderOutcome {
  return { pass, score: pass ? 1 : 0, reason, ...extra };
}

/** A complete trajectory from a partial one (tests, examples). */
export function trajectory(partial: Partial<Trajectory> = {}): Trajectory {
  const answer = partial.answer ?? '';
  return {
    answer,
    answers: partial.answers ?? [answer],
    turns: partial.turns ?? ['question'],
    toolCalls: partial.toolCalls ?? [],
    todos: partial.todos ?? [],
    usage: partial.usage ?? { calls: 1, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    context: partial.context ?? [],
    workspaceRoot: partial.workspaceRoot,
    latencyMs: partial.latencyMs,
  };
}

export function call(name: string, args: Record<string, unknown> = {}, output: unknown = '', error = false): ToolCallRecord {
  return { name, args, output, error, durationMs: 0 };
}
