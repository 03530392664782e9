import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const params = z.object({ value: z.string(), caseSensitive: z.boolean().default(true) });

export const equalsGrader = {
  id: 'equals',
  kind: 'deterministic',
  description: 'The final answer, trimmed (and a trailing period dropped), equals the value.',
  params,
  grade(p, t) {
    const norm = (s: string): string => {
      const v = s.trim().replace(/\.$/, '');
      return p.caseSensitive ? v : v.toLowerCase();
    };
    const ok = norm(t.answer) === norm(p.value);
    return outcome(ok, ok ? 'equal' : `expected ${JSON.stringify(p.value)}, got ${JSON.stringify(t.answer.slice(0, 120))}`);
  },
  examples: { params: { value: '366' }, pass: { answer: ' 366\n' }, fail: { answer: '365' } },
} satisfies Grader<typeof params>;
