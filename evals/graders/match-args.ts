import { isDeepStrictEqual } from 'node:util';

/** True when every key of `expected` equals the call's argument (a subset match). */
export function argsEqual(actual: Record<string, unknown>, expected: Record<string, unknown> | undefined): boolean {
  return Object.entries(expected ?? {}).every(([k, v]) => isDeepStrictEqual(actual[k], v));
}

/** True when every key of `patterns` is a string argument matching that regex. */
export function argsMatch(actual: Record<string, unknown>, patterns: Record<string, string> | undefined): boolean {
  return Object.entries(patterns ?? {}).every(([k, p]) => {
    const v = actual[k];
    // Patterns come from the reviewed dataset.
    // eslint-disable-next-line security/detect-non-literal-regexp
    return typeof v === 'string' && new RegExp(p).test(v);
  });
}
