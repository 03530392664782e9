import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const params = z.object({ pattern: z.string().min(1), flags: z.string().regex(/^[imsu]*$/).default(''), not: z.boolean().default(false) });

export const regexGrader = {
  id: 'regex',
  kind: 'deterministic',
  description: 'The final answer matches a regular expression (or, with not, does not).',
  params,
  grade(p, t) {
    // Patterns come from the reviewed dataset, never from the agent.
    // eslint-disable-next-line security/detect-non-literal-regexp
    const matched = new RegExp(p.pattern, p.flags).test(t.answer);
    return outcome(matched !== p.not, `${matched ? 'matches' : 'does not match'} /${p.pattern}/${p.flags}`);
  },
  examples: { params: { pattern: '^\\d+$' }, pass: { answer: '366' }, fail: { answer: 'about 366' } },
} satisfies Grader<typeof params>;
