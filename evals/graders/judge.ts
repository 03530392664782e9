import { z } from 'zod';
import { evidenceOf } from './grounding.js';
import { type Grader } from './types.js';

const params = z.object({
  rubric: z.string().min(1),
  /** factuality: is the answer correct; faithfulness: is it supported by the evidence. */
  criterion: z.enum(['factuality', 'faithfulness']).default('factuality'),
});

const VerdictSchema = z.object({ pass: z.boolean(), score: z.number().min(0).max(1), reason: z.string() });

export function judgePrompt(criterion: string, rubric: string, question: string, answer: string, evidence: string[]): string {
  return [
    `You grade an assistant's answer for ${criterion}. Rubric: ${rubric}`,
    `Question: ${question}`,
    `Evidence:\n${evidence.join('\n---\n').slice(0, 8000) || '(none)'}`,
    `Answer: ${answer}`,
    'Reply with only JSON: {"pass": true|false, "score": 0..1, "reason": "<one sentence>"}. An unsupported or false claim fails.',
  ].join('\n\n');
}

export const judgeGrader = {
  id: 'judge',
  kind: 'judge',
  description: 'A judge model (JUDGE_MODEL) scores factuality or faithfulness against a rubric; not run (skipped, never passed) without one.',
  params,
  async grade(p, t, deps) {
    if (!deps.judge) return { pass: false, score: 0, skipped: true, reason: 'not run: no JUDGE_MODEL configured' };
    const raw = await deps.judge(judgePrompt(p.criterion, p.rubric, t.turns.join('\n'), t.answer, evidenceOf(t)));
    const json = /\{[\s\S]*\}/.exec(raw)?.[0];
    const parsed = json ? VerdictSchema.safeParse(JSON.parse(json)) : undefined;
    if (!parsed?.success) throw new Error(`judge reply is not a verdict: ${raw.slice(0, 200)}`);
    return { ...parsed.data, hallucinated: !parsed.data.pass };
  },
  examples: {
    params: { rubric: 'The answer names Canberra.' },
    pass: { answer: 'Canberra.' },
    fail: { answer: 'Sydney.' },
    deps: { judge: async (prompt) => (prompt.includes('Answer: Canberra') ? '{"pass": true, "score": 1, "reason": "correct"}' : '{"pass": false, "score": 0, "reason": "wrong city"}') },
  },
} satisfies Grader<typeof params>;
