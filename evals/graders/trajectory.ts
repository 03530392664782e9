import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { ToolCallRecord } from '../../agent/src/contract/index.js';
import { call, outcome, type Grader } from './types.js';

// agentevals' trajectory match (langchain-ai/agentevals, createTrajectoryMatchEvaluator) over our tool calls:
// the same four modes, a call matching a reference call when the names are equal and the arguments match in the
// call's mode. Written here rather than depending on the package: it is small, and agentevals' arg modes stop at
// exact/ignore, while a case here may also ask for subset/superset arguments.

const ArgsModeSchema = z.enum(['exact', 'ignore', 'subset', 'superset']);
type ArgsMode = z.infer<typeof ArgsModeSchema>;
type Args = Record<string, unknown>;

const params = z.object({
    /**
     * strict: exactly these calls, in this order. unordered: exactly these calls, any order. superset: at least
     * these calls (others may come too), any order. subset: no call outside these (some may be left out).
     */
    match: z.enum(['strict', 'unordered', 'subset', 'superset']).default('strict'),
    /** How a call's arguments must match the expected ones: exact, ignore, subset (the call's ⊆ expected), superset (the call's ⊇ expected). */
    args: ArgsModeSchema.default('exact'),
    /** Per-tool override of `args`. */
    toolArgs: z.record(z.string(), ArgsModeSchema).default({}),
    calls: z.array(z.object({ name: z.string().min(1), args: z.record(z.string(), z.unknown()).optional(), argsMatch: ArgsModeSchema.optional() }).strict()),
  });
type Params = z.infer<typeof params>;
type Expected = Params['calls'][number];

function argsMatch(mode: ArgsMode, actual: Args, expected: Args): boolean {
  const within = (a: Args, b: Args): boolean => Object.entries(a).every(([k, v]) => k in b && isDeepStrictEqual(v, b[k]));
  if (mode === 'ignore') return true;
  if (mode === 'subset') return within(actual, expected);
  if (mode === 'superset') return within(expected, actual);
  return isDeepStrictEqual(actual, expected);
}

/** An expected call matches an actual one: same tool, arguments in the call's mode (an expected call without `args` ignores them). */
function matches(p: Params, actual: ToolCallRecord, expected: Expected): boolean {
  if (actual.name !== expected.name) return false;
  if (expected.args === undefined) return true;
  return argsMatch(expected.argsMatch ?? p.toolArgs[expected.name] ?? p.args, actual.args, expected.args);
}

/** Every call of `needles` paired with a distinct call of `haystack` (greedy, as agentevals does); the first unpaired one, or undefined. */
function unpaired<N, H>(needles: readonly N[], haystack: readonly H[], eq: (n: N, h: H) => boolean): N | undefined {
  const used = new Set<number>();
  for (const n of needles) {
    const i = haystack.findIndex((h, j) => !used.has(j) && eq(n, h));
    if (i < 0) return n;
    used.add(i);
  }
  return undefined;
}

const show = (c: { name: string; args?: Args }): string => `${c.name}(${c.args === undefined ? '…' : JSON.stringify(c.args)})`;

function verdict(p: Params, actual: readonly ToolCallRecord[]): string | undefined {
  const eq = (a: ToolCallRecord, e: Expected): boolean => matches(p, a, e);
  const missing = (): string | undefined => {
    const m = unpaired(p.calls, actual, (e, a) => eq(a, e));
    return m && `expected call ${show(m)} not made`;
  };
  const extra = (): string | undefined => {
    const x = unpaired(actual, p.calls, eq);
    return x && `call ${show(x)} is not among the expected calls`;
  };
  if (p.match === 'strict') {
    if (actual.length !== p.calls.length) return `expected ${p.calls.length} call(s) in order, got ${actual.length}`;
    const i = p.calls.findIndex((e, j) => !eq(actual[j]!, e));
    return i < 0 ? undefined : `call ${i + 1}: expected ${show(p.calls[i]!)}, got ${show(actual[i]!)}`;
  }
  if (p.match === 'superset') return missing();
  if (p.match === 'subset') return extra();
  return missing() ?? extra();
}

export const trajectoryGrader = {
  id: 'trajectory',
  kind: 'trajectory',
  description: 'The tool calls match the expected ones: strict (same calls, same order), unordered (same calls, any order), superset (at least these) or subset (nothing else); arguments exact, ignored, subset or superset, per tool if need be.',
  params,
  grade(p, t) {
    const why = verdict(p, t.toolCalls);
    return outcome(!why, why ?? `${p.match} match of ${p.calls.length} expected call(s) held over ${t.toolCalls.length} call(s)`);
  },
  examples: {
    params: { match: 'unordered', calls: [{ name: 'read_file', args: { file_path: 'a.txt' } }, { name: 'list_directory' }] },
    pass: { toolCalls: [call('list_directory', { dir_path: '.' }), call('read_file', { file_path: 'a.txt' })] },
    fail: { toolCalls: [call('list_directory', { dir_path: '.' }), call('read_file', { file_path: 'b.txt' })] },
  },
} satisfies Grader<typeof params>;
