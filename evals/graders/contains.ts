import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const params = z.object({
  value: z.string().optional(),
  values: z.array(z.string()).optional(),
  caseSensitive: z.boolean().default(true),
  /** Invert: the answer must contain none of the values. */
  not: z.boolean().default(false),
});

export const containsGrader = {
  id: 'contains',
  kind: 'deterministic',
  description: 'The final answer contains every value (or, with not, none of them).',
  params,
  grade(p, t) {
    const wanted = [...(p.value !== undefined ? [p.value] : []), ...(p.values ?? [])];
    const norm = (s: string): string => (p.caseSensitive ? s : s.toLowerCase());
    const hay = norm(t.answer);
    const present = wanted.filter((v) => hay.includes(norm(v)));
    if (p.not) return outcome(present.length === 0, present.length ? `answer contains forbidden ${JSON.stringify(present)}` : 'none of the forbidden values present');
    const missing = wanted.filter((v) => !present.includes(v));
    return { pass: missing.length === 0, score: wanted.length ? present.length / wanted.length : 1, reason: missing.length ? `answer lacks ${JSON.stringify(missing)}` : 'all values present' };
  },
  examples: { params: { values: ['42', 'Lyon'] }, pass: { answer: 'Lyon: 42' }, fail: { answer: 'Paris: 42' } },
} satisfies Grader<typeof params>;
