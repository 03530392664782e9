import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const params = z.object({ minItems: z.number().int().min(1).default(1), allCompleted: z.boolean().default(true) });

export const todosGrader = {
  id: 'todos',
  kind: 'trajectory',
  description: 'The agent planned with a todo list of at least minItems items and (by default) completed them all.',
  params,
  grade(p, t) {
    const open = t.todos.filter((x) => x.status !== 'completed');
    const ok = t.todos.length >= p.minItems && (!p.allCompleted || open.length === 0);
    return outcome(ok, `${t.todos.length} todo(s), ${open.length} not completed${open.length ? `: ${open.map((x) => x.content).join('; ')}` : ''}`);
  },
  examples: {
    params: { minItems: 2 },
    pass: { todos: [{ content: 'a', status: 'completed' }, { content: 'b', status: 'completed' }] },
    fail: { todos: [{ content: 'a', status: 'completed' }, { content: 'b', status: 'pending' }] },
  },
} satisfies Grader<typeof params>;
