import { z } from 'zod';
import { call, outcome, type Grader } from './types.js';

const params = z.object({ maxToolCalls: z.number().int().min(0).optional(), maxModelCalls: z.number().int().min(1).optional() });

export const stepBudgetGrader = {
  id: 'step-budget',
  kind: 'trajectory',
  description: 'The run stayed within its budget of tool calls and model calls.',
  params,
  grade(p, t) {
    const tools = t.toolCalls.length;
    const models = t.usage.calls;
    const ok = (p.maxToolCalls === undefined || tools <= p.maxToolCalls) && (p.maxModelCalls === undefined || models <= p.maxModelCalls);
    return outcome(ok, `${tools} tool call(s) (max ${p.maxToolCalls ?? '∞'}), ${models} model call(s) (max ${p.maxModelCalls ?? '∞'})`);
  },
  examples: { params: { maxToolCalls: 1 }, pass: { toolCalls: [call('read_file')] }, fail: { toolCalls: [call('tree_view'), call('read_file')] } },
} satisfies Grader<typeof params>;
