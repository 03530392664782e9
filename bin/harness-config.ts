import { z } from 'zod';
import { loadConfig } from '../agent/src/config.js';
import { ConfigInvalidError } from '../agent/src/errors.js';

// The harness's own settings, parsed once here and handed to the commands that read them: the agent's schema
// (agent/src/config.ts) holds only what the service needs, and the harness never reads the environment itself.

const HarnessEnvSchema = z.object({
  /** The judge model for judge graders, on the agent's primary endpoint; unset → judge graders report "not run". */
  JUDGE_MODEL: z.string().min(1).optional(),
  /** Ed25519 private key (PKCS#8 PEM) `luminamind promote` signs with when --key is not given. */
  LUMINAMIND_SIGNING_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }).optional(),
  /** Set by GitHub Actions: the gate appends its summary to this file. */
  GITHUB_STEP_SUMMARY: z.string().min(1).optional(),
});

/** The model under test as the gate hashes it into the eval's inputs: endpoints and models, never a key. */
export interface ModelUnderTest {
  primary: { baseUrl: string; model: string } | null;
  fallback: { baseUrl: string; model: string } | null;
  judge: string | null;
  temperature: number;
}

export interface HarnessConfig {
  readonly judgeModel?: string;
  readonly signingKey?: string;
  readonly stepSummaryFile?: string;
  /** Read from the agent's configuration only when asked for, so a harness command that needs none never fails on it. */
  modelUnderTest(): ModelUnderTest;
}

/**
 * Reads the harness settings from the environment; throws AGT_ERR_CONFIG_INVALID with every problem listed.
 *
 * @example
 *   const harness = loadHarnessConfig(); // { judgeModel: 'gpt-4o-mini', signingKey: undefined, … }
 */
export function loadHarnessConfig(env: Record<string, string | undefined> = process.env): HarnessConfig {
  const parsed = HarnessEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigInvalidError(parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n'));
  const { JUDGE_MODEL: judgeModel, LUMINAMIND_SIGNING_KEY: signingKey, GITHUB_STEP_SUMMARY: stepSummaryFile } = parsed.data;
  return Object.freeze({
    judgeModel,
    signingKey,
    stepSummaryFile,
    modelUnderTest() {
      const llm = loadConfig(env).llm;
      const endpoint = (e?: { baseUrl: string; model: string }) => (e ? { baseUrl: e.baseUrl, model: e.model } : null);
      return { primary: endpoint(llm.primary), fallback: endpoint(llm.fallback), judge: judgeModel ?? null, temperature: llm.temperature };
    },
  });
}
