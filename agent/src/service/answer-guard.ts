import type { ToolCallRecord } from '../contract/run.js';
import { checkGrounding, evidenceText } from '../contract/grounding.js';

/** What the grounding check says about one answer: claims with no support in this run's tool outputs. */
export interface GroundingVerdict {
  /** 0–1 share of checkable claims (figures, quotes, names, URLs) found in the tool outputs; 1 when none. */
  readonly score: number;
  readonly unsupported: readonly string[];
}

/** The seam for the deterministic grounding check shared with the eval harness's grounding grader. */
export type GroundingCheck = (answer: string, toolCalls: readonly ToolCallRecord[], userMessage?: string) => GroundingVerdict;

/** The default check: the shared grounding code, with this run's tool outputs, tool arguments and the user's words as evidence. */
export const groundAgainstRun: GroundingCheck = (answer, toolCalls, userMessage) => {
  const evidence = [...toolCalls.flatMap((c) => [evidenceText(c.output), evidenceText(c.args)]), userMessage ?? ''];
  const result = checkGrounding(answer, evidence);
  return { score: result.score, unsupported: result.unsupported.map((c) => `${c.kind}:${c.text}`) };
};

export const MIN_ANSWER_CHARS = 10;

const LEAKS: readonly [string, RegExp][] = [
  ['stack_trace', /\n\s+at [^\n]+\((?:file:\/\/|\/|node:)[^\n]*:\d+:\d+\)/],
  ['stack_trace', /\bTraceback \(most recent call last\)/],
  ['tool_error_dump', /\{\s*"error"\s*:\s*true\s*,\s*"message"\s*:/],
  ['error_and_exception', /^(?=[\s\S]*\berror\b)(?=[\s\S]*\bexception\b)[\s\S]*$/i],
];
// Short answers are fine when the agent declines or reports it cannot help; the floor is for silent failures.
const REFUSAL = /\b(cannot|can't|won't|unable|not allowed|refuse|declined?|sorry|denied|rejected)\b/i;

export interface AnswerVerdict {
  readonly ok: boolean;
  /** Why the answer may not be returned (ok false only). */
  readonly reason?: string;
  readonly confidence: number;
  readonly unsupported: readonly string[];
}

/**
 * The online quality guard run on every completed answer before it is returned (the original's response
 * validation): not empty, at least 10 characters unless it is a refusal, no leaked stack traces or raw tool error
 * dumps; then grounding gives the confidence.
 */
export function checkAnswer(answer: string, toolCalls: readonly ToolCallRecord[], grounding?: GroundingCheck, userMessage?: string): AnswerVerdict {
  const text = answer.trim();
  if (!text) return { ok: false, reason: 'empty answer', confidence: 0, unsupported: [] };
  if (text.length < MIN_ANSWER_CHARS && !REFUSAL.test(text)) {
    return { ok: false, reason: `answer shorter than ${MIN_ANSWER_CHARS} characters`, confidence: 0, unsupported: [] };
  }
  for (const [kind, pattern] of LEAKS) {
    if (pattern.test(text)) return { ok: false, reason: `answer leaks a ${kind.replace(/_/g, ' ')}`, confidence: 0, unsupported: [] };
  }
  const verdict = grounding?.(text, toolCalls, userMessage) ?? { score: 1, unsupported: [] };
  return { ok: true, confidence: Math.round(Math.max(0, Math.min(1, verdict.score)) * 1000) / 1000, unsupported: verdict.unsupported };
}
