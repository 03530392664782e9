import { describe, expect, it } from 'vitest';
import { keyLikeStrings, loadAllowList, scanText, shannonEntropy, type AllowEntry } from './secrets.js';

// Built at run time so this file itself holds no key-shaped literal for the scan to find.
const fake = {
  openai: ['sk', 'proj', 'Q7d9Kx2LmP4vR8sT1wY6zA3bC5eF0gH'].join('-'),
  aws: ['AK', 'IA', 'Q3ZT7WX2M4N6P8R5'].join(''),
  pem: ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' '),
  github: ['ghp', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'].join('_'),
  random: ['Zq8', 'Lw3Vn7Rt1Ky5Mp9Bx2Hc6Jd4Fg0Sa8Qe'].join(''),
  password: ['Tr0ub4', 'dor&3xx'].join(''),
};

describe('secret scan', () => {
  it.each<[string, string, string]>([
    ['openai-key', `const key = "${fake.openai}";`, 'high'],
    ['aws-access-key-id', `aws_access_key_id = ${fake.aws}`, 'high'],
    ['private-key', fake.pem, 'critical'],
    ['github-token', `token: ${fake.github}`, 'high'],
    ['password-assignment', `const config = { password: "${fake.password}" };`, 'high'],
  ])('finds %s', (rule, line, severity) => {
    const [finding, ...rest] = scanText('src/app.ts', `// header\n${line}\n`, []);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: `secrets/${rule}`, file: 'src/app.ts', line: 2, severity });
  });

  it('never copies the secret into the report', () => {
    const [finding] = scanText('a.ts', `const key = "${fake.openai}";`, []);
    expect(finding!.message).not.toContain(fake.openai);
  });

  it('flags a random key-like string next to a key word by its entropy, not an ordinary identifier', () => {
    expect(shannonEntropy(fake.random)).toBeGreaterThan(4.3);
    expect(keyLikeStrings(`SERVICE_TOKEN=${fake.random}`)).toEqual([fake.random]);
    expect(keyLikeStrings(`const value = "${fake.random}"`)).toEqual([]);
    expect(keyLikeStrings('apiKeyHeaderNameForTheUpstreamProvider = 1')).toEqual([]);
    expect(scanText('x.env', `SERVICE_TOKEN=${fake.random}\n`, [])).toMatchObject([{ rule: 'secrets/high-entropy', severity: 'medium' }]);
  });

  it('ignores references and short placeholders', () => {
    expect(scanText('a.ts', 'const apiKey = config.llm.apiKey;\nconst password = "";\nOPENAI_API_KEY=\n', [])).toEqual([]);
  });

  it('an allow-list entry covers only the fake value it names', () => {
    const allow: AllowEntry[] = [{ files: 'tests/**', rule: 'openai-key', match: 'canary', reason: 'a canary for leak tests' }];
    const canary = `${fake.openai.slice(0, 8)}canary${fake.openai.slice(8)}`;
    expect(scanText('tests/leak.ts', `const k = "${canary}";`, allow)).toEqual([]);
    expect(scanText('tests/leak.ts', `const k = "${fake.openai}";`, allow)).toHaveLength(1);
    expect(scanText('src/leak.ts', `const k = "${canary}";`, allow)).toHaveLength(1);
  });

  it('the repository allow-list parses and gives a reason for every entry', async () => {
    const allow = await loadAllowList();
    expect(allow.length).toBeGreaterThan(0);
    for (const a of allow) expect(a.reason.length).toBeGreaterThanOrEqual(10);
  });
});
