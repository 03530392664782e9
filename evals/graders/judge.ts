import { z } from 'zod';
import { evidenceOf } from './grounding.js';
import { type Grader, type GraderOutcome, type JudgeModel } from './types.js';

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

/** A structured reply must be the verdict object itself; anything else is the judge's fault, never a pass or a fail. */
function verdictOf(model: string, text: string): z.infer<typeof VerdictSchema> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`judge ${model} reply is not a verdict (not JSON): ${text.slice(0, 200)}`);
  }
  const parsed = VerdictSchema.safeParse(value);
  if (!parsed.success) throw new Error(`judge ${model} reply is not a verdict: ${parsed.error.message.slice(0, 200)}`);
  return parsed.data;
}

/** Several judges: the majority's verdict (a tie does not pass), its mean score, and how many agreed. */
function majority(judges: readonly JudgeModel[], replies: { text: string; usage: { calls: number; input: number; output: number; costUsd: number } }[]): GraderOutcome {
  const votes = replies.map((r, i) => ({ model: judges[i]!.model, ...verdictOf(judges[i]!.model, r.text) }));
  const yes = votes.filter((v) => v.pass).length;
  const pass = yes * 2 > votes.length;
  const side = votes.filter((v) => v.pass === pass);
  const usage = replies.reduce((a, r) => ({ calls: a.calls + r.usage.calls, input: a.input + r.usage.input, output: a.output + r.usage.output, costUsd: a.costUsd + r.usage.costUsd }), { calls: 0, input: 0, output: 0, costUsd: 0 });
  return {
    pass,
    score: side.reduce((s, v) => s + v.score, 0) / Math.max(1, side.length),
    reason: `${side.length}/${votes.length} judge(s): ${side[0]?.reason ?? ''}`,
    hallucinated: !pass,
    judge: { models: judges.map((j) => j.model), temperature: judges[0]!.temperature, seed: judges[0]!.seed, votes, agreement: side.length / votes.length, usage },
  };
}

export const judgeGrader = {
  id: 'judge',
  kind: 'judge',
  description: 'A judge model (JUDGE_MODEL) scores factuality or faithfulness against a rubric; not run (skipped, never passed) without one.',
  params,
  async grade(p, t, deps) {
    const prompt = judgePrompt(p.criterion, p.rubric, t.turns.join('\n'), t.answer, evidenceOf(t));
    if (deps.judges?.length) return majority(deps.judges, await Promise.all(deps.judges.map((j) => j.ask(prompt))));
    if (!deps.judge) return { pass: false, score: 0, skipped: true, reason: 'not run: no JUDGE_MODEL configured' };
    const raw = await deps.judge(prompt);
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
