import { z } from 'zod';
import { argsEqual, argsMatch } from './match-args.js';
import { call, outcome, type Grader } from './types.js';

const params = z.object({
  tool: z.string().min(1),
  /** Subset match: each given argument equals the call's. */
  args: z.record(z.string(), z.unknown()).optional(),
  /** Each given argument is a string matching the regex. */
  argsMatch: z.record(z.string(), z.string()).optional(),
});

export const toolArgsGrader = {
  id: 'tool-args',
  kind: 'trajectory',
  description: 'Some call of the tool had the expected arguments.',
  params,
  grade(p, t) {
    const calls = t.toolCalls.filter((c) => c.name === p.tool);
    const ok = calls.some((c) => argsEqual(c.args, p.args) && argsMatch(c.args, p.argsMatch));
    const want = JSON.stringify({ ...p.args, ...p.argsMatch });
    return outcome(ok, ok ? `${p.tool} called with ${want}` : `no ${p.tool} call with ${want}; got ${JSON.stringify(calls.map((c) => c.args)).slice(0, 300)}`);
  },
  examples: {
    params: { tool: 'shell', argsMatch: { command: '^grep ' } },
    pass: { toolCalls: [call('shell', { command: 'grep -n x a.js' })] },
    fail: { toolCalls: [call('shell', { command: 'cat a.js' })] },
  },
} satisfies Grader<typeof params>;
