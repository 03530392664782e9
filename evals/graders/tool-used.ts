import { z } from 'zod';
import { call, outcome, type Grader } from './types.js';

const params = z.object({ tool: z.string().min(1), minTimes: z.number().int().min(1).default(1), maxTimes: z.number().int().min(1).optional() });

export const toolUsedGrader = {
  id: 'tool-used',
  kind: 'trajectory',
  description: 'The tool was called (by the agent or a subagent) at least minTimes and at most maxTimes.',
  params,
  grade(p, t) {
    const n = t.toolCalls.filter((c) => c.name === p.tool).length;
    const ok = n >= p.minTimes && (p.maxTimes === undefined || n <= p.maxTimes);
    return outcome(ok, `${p.tool} called ${n} time(s) (want ${p.minTimes}..${p.maxTimes ?? '∞'}); calls: [${t.toolCalls.map((c) => c.name).join(', ')}]`);
  },
  examples: { params: { tool: 'read_file' }, pass: { toolCalls: [call('read_file')] }, fail: { toolCalls: [call('list_directory')] } },
} satisfies Grader<typeof params>;
