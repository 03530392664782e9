import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// `luminamind serve` refuses to start with every missing setting listed at once, not one per attempt.

const run = promisify(execFile);

async function serve(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  // Only what the test gives (plus PATH): the developer's own model or key settings must not leak in.
  try {
    const { stderr } = await run(process.execPath, ['bin/luminamind', 'serve'], { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, timeout: 60_000 });
    return { code: 0, stderr };
  } catch (err) {
    return { code: (err as { code: number }).code, stderr: (err as { stderr: string }).stderr };
  }
}

describe('luminamind serve without configuration', () => {
  it.concurrent('lists the API key hashes and the model in one refusal, exit 2', async () => {
    const { code, stderr } = await serve({});
    expect(stderr).toContain('[AGT_ERR_CONFIG_INVALID]');
    expect(stderr).toContain('  - API_KEY_HASHES:');
    expect(stderr).toContain('  - OPENAI_BASE_URL, LLM_MODEL: no model endpoint is configured');
    expect(code).toBe(2);
  });

  it.concurrent('the twin: with a key hash set only the model is listed', async () => {
    const { code, stderr } = await serve({ API_KEY_HASHES: 'a'.repeat(64) });
    expect(stderr).not.toContain('API_KEY_HASHES');
    expect(stderr).toContain('  - OPENAI_BASE_URL, LLM_MODEL:');
    expect(code).toBe(2);
  });
});
