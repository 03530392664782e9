import { z } from 'zod';
import { checkGrounding, evidenceText } from '../../agent/src/contract/index.js';
import { call, type Grader, type Trajectory } from './types.js';

const params = z.object({
  /** Accept figures computed by one arithmetic step from evidence figures (default true). */
  allowArithmetic: z.boolean().default(true),
  ignore: z.array(z.string()).default([]),
});

/** The evidence of a run: user turns, provided context, tool outputs, and the URLs that were fetched successfully. */
export function evidenceOf(t: Trajectory): string[] {
  return [
    ...t.turns,
    ...t.context,
    ...t.toolCalls.map((c) => evidenceText(c.output)),
    ...t.toolCalls.filter((c) => !c.error && typeof c.args.url === 'string').map((c) => String(c.args.url)),
  ];
}

export const groundingGrader = {
  id: 'grounding',
  kind: 'grounding',
  description: 'Every figure, quoted span, name, path and URL in the final answer is supported by the evidence; an unsupported claim is a hallucination.',
  params,
  grade(p, t) {
    const r = checkGrounding(t.answer, evidenceOf(t), { allowArithmetic: p.allowArithmetic, ignore: p.ignore });
    return {
      pass: r.grounded,
      score: r.score,
      hallucinated: !r.grounded,
      reason: r.grounded ? `${r.claims.length} claim(s), all supported` : `unsupported: ${r.unsupported.map((c) => `${c.kind} ${JSON.stringify(c.text)}`).join(', ')}`,
    };
  },
  examples: {
    params: {},
    pass: { answer: 'Lyon had 522,250 inhabitants.', toolCalls: [call('fetch_as_markdown', { url: 'https://x.test/lyon' }, 'Lyon had 522,250 inhabitants in 2021.')] },
    fail: { answer: 'Lyon had 600,000 inhabitants.', toolCalls: [call('fetch_as_markdown', { url: 'https://x.test/lyon' }, 'Lyon had 522,250 inhabitants in 2021.')] },
  },
} satisfies Grader<typeof params>;
