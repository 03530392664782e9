import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const params = z.object({
  value: z.number(),
  tolerance: z.number().min(0).default(0),
  /** Optional regex whose first group is the figure; by default every number in the answer is a candidate. */
  pattern: z.string().optional(),
});

const NUMBER = /[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-−]?\d+(?:\.\d+)?/g;

export const numericGrader = {
  id: 'numeric',
  kind: 'deterministic',
  description: 'A number in the final answer is within tolerance of the expected value (and no other candidate contradicts it).',
  params,
  grade(p, t) {
    // eslint-disable-next-line security/detect-non-literal-regexp
    const source = p.pattern ? [...t.answer.matchAll(new RegExp(p.pattern, 'g'))].map((m) => m[1] ?? m[0]) : [t.answer];
    const numbers = source.flatMap((s) => [...s.matchAll(NUMBER)].map((m) => Number(m[0].replace(/−/g, '-').replace(/,/g, ''))));
    const hit = numbers.find((n) => Math.abs(n - p.value) <= p.tolerance);
    return outcome(hit !== undefined, hit !== undefined ? `found ${hit} (expected ${p.value} ± ${p.tolerance})` : `no figure within ${p.tolerance} of ${p.value} in [${numbers.join(', ')}]`);
  },
  examples: { params: { value: 14, tolerance: 0.5 }, pass: { answer: 'It is 14.2 °C.' }, fail: { answer: 'It is 21 °C.' } },
} satisfies Grader<typeof params>;
