import { z } from 'zod';
import { call, outcome, type Grader } from './types.js';

const params = z.object({ tools: z.array(z.string().min(1)).min(2) });

export const toolOrderGrader = {
  id: 'tool-order',
  kind: 'trajectory',
  description: 'The tools were called in this order (as a subsequence of all calls; other calls may come between).',
  params,
  grade(p, t) {
    let i = 0;
    for (const c of t.toolCalls) if (c.name === p.tools[i]) i++;
    const ok = i >= p.tools.length;
    return outcome(ok, ok ? `order ${p.tools.join(' → ')} held` : `expected ${p.tools.join(' → ')}, got [${t.toolCalls.map((c) => c.name).join(', ')}]`);
  },
  examples: {
    params: { tools: ['copy_file', 'multi_replace_in_file'] },
    pass: { toolCalls: [call('copy_file'), call('read_file'), call('multi_replace_in_file')] },
    fail: { toolCalls: [call('multi_replace_in_file'), call('copy_file')] },
  },
} satisfies Grader<typeof params>;
