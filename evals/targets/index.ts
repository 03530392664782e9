import type { Target, TargetId } from '../types.js';
import { httpTarget } from './http.js';
import { inProcessTarget } from './in-process.js';

/** Every target, by id: a missing entry fails the build; targets.int.test.ts runs one suite over each. */
export const targets = {
  'in-process': inProcessTarget,
  http: httpTarget,
} satisfies Record<TargetId, Target>;

export { evalConfig } from './in-process.js';
