import { z } from 'zod';
import { outcome, type Grader } from './types.js';

const params = z.object({ schema: z.record(z.string(), z.unknown()) });

function extractJson(answer: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(answer);
  return JSON.parse((fenced?.[1] ?? answer).trim());
}

export const jsonSchemaGrader = {
  id: 'json-schema',
  kind: 'deterministic',
  description: 'The final answer (or its fenced JSON block) parses as JSON and validates against a JSON Schema.',
  params,
  grade(p, t) {
    let value: unknown;
    try {
      value = extractJson(t.answer);
    } catch (err) {
      return outcome(false, `answer is not JSON: ${(err as Error).message}`);
    }
    const result = z.fromJSONSchema(p.schema as never).safeParse(value);
    return outcome(result.success, result.success ? 'valid against the schema' : `schema violations: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  },
  examples: {
    params: { schema: { type: 'object', required: ['total'], properties: { total: { const: 56 } } } },
    pass: { answer: '```json\n{"total": 56}\n```' },
    fail: { answer: '{"total": 54}' },
  },
} satisfies Grader<typeof params>;
