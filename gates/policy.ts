import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { EvalModeSchema } from '../evals/report/index.js';
import { getCheck } from './checks/index.js';
import { CheckIdSchema, CheckPolicySchema } from './checks/types.js';
import { PolicyInvalidError, PolicyUnknownError } from './errors.js';

export const DEFAULT_POLICY_FILE = join(import.meta.dirname, 'policy.yaml');

export const PolicySchema = z
  .object({
    description: z.string().min(1),
    /** Weighted share of credit (pass 1, warn 0.75, fail and inconclusive 0) below which non-veto failures block. */
    minScore: z.number().min(0).max(1),
    evidence: z
      .object({
        /** Evidence from a tree with uncommitted changes may not match the commit; release forbids it. */
        allowDirty: z.boolean(),
        /** Eval modes accepted as evidence (release: live only). */
        evalModes: z.array(EvalModeSchema).min(1),
        /** Evidence made at an earlier commit from the same inputs (gates/inputs.ts) stands in for a fresh run; off demands a fresh run at this commit (release). */
        reuse: z.boolean().default(false),
      })
      .strict(),
    checks: z.partialRecord(CheckIdSchema, CheckPolicySchema),
    /** A human must approve before `luminamind promote` signs (`--approved-by`); the approver is in the signed record. */
    approval: z.object({ required: z.boolean() }).strict().default({ required: false }),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (Object.keys(policy.checks).length === 0) ctx.addIssue({ code: 'custom', path: ['checks'], message: 'a policy needs at least one check' });
    for (const [id, config] of Object.entries(policy.checks)) {
      const params = getCheck(CheckIdSchema.parse(id)).paramsSchema.safeParse(config.params);
      for (const issue of params.success ? [] : params.error.issues)
        ctx.addIssue({ code: 'custom', path: ['checks', id, 'params', ...issue.path.map(String)], message: issue.message });
    }
  });
export type Policy = z.infer<typeof PolicySchema>;

export const PolicyFileSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), PolicySchema);

/** A policy as the decision records it: which one, from which file, and the file's sha256. */
export interface LoadedPolicy {
  name: string;
  file: string;
  sha256: string;
  policy: Policy;
}

/**
 * Reads and validates the policy file, then picks one policy by name. Throws GATE_ERR_POLICY_INVALID
 * (every problem listed) or GATE_ERR_POLICY_UNKNOWN; the gate exits 2 on either.
 *
 * @example
 *   const { policy, sha256 } = await loadPolicy('release');
 */
export async function loadPolicy(name: string, file = DEFAULT_POLICY_FILE): Promise<LoadedPolicy> {
  let bytes: Buffer;
  let value: unknown;
  try {
    bytes = await readFile(file);
    value = parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PolicyInvalidError(file, `  - ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = PolicyFileSchema.safeParse(value);
  if (!parsed.success) {
    throw new PolicyInvalidError(file, parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'));
  }
  const policy = parsed.data[name];
  if (!policy) throw new PolicyUnknownError(name, file, Object.keys(parsed.data).join(', '));
  return { name, file, sha256: createHash('sha256').update(bytes).digest('hex'), policy };
}
