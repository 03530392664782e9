import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { readVaultSecrets } from './vault.js';

const ROOT_TOKEN = 'hvs.root-token-canary-1234';
const K8S_TOKEN = 'hvs.k8s-issued-token-5678';
const JWT = 'eyJhbGciOi.service-account.jwt';

// A tiny KV v2 + Kubernetes-auth Vault on loopback, answering like the real one.
function fakeVault(): Promise<{ server: Server; addr: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (req.url === '/v1/auth/kubernetes/login' && req.method === 'POST') {
        const { role, jwt } = JSON.parse(body) as { role: string; jwt: string };
        return role === 'luminamind' && jwt === JWT ? send(200, { auth: { client_token: K8S_TOKEN } }) : send(403, { errors: ['permission denied'] });
      }
      const token = req.headers['x-vault-token'];
      if (token !== ROOT_TOKEN && token !== K8S_TOKEN) return send(403, { errors: ['permission denied'] });
      if (req.url === '/v1/secret/data/luminamind') {
        return send(200, { data: { data: { OPENAI_API_KEY: 'sk-from-vault', SERPER_API_KEY: 'serper-from-vault', NOT_OURS: 'ignored', LOG_LEVEL: 'debug' }, metadata: { version: 3 } } });
      }
      return send(404, { errors: [] });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, addr: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests })));
}

describe('Vault KV v2 at start', () => {
  let vault: Awaited<ReturnType<typeof fakeVault>>;
  let dir: string;
  beforeAll(async () => {
    vault = await fakeVault();
    dir = await mkdtemp(join(tmpdir(), 'lm-vault-'));
  });
  afterAll(async () => {
    await new Promise((r) => vault.server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('reads nothing when VAULT_ADDR is unset', async () => {
    expect(await readVaultSecrets(loadConfig({}))).toEqual({});
  });

  it('reads the KV v2 secret with a token, keeping only LuminaMind variables', async () => {
    const secrets = await readVaultSecrets(loadConfig({ VAULT_ADDR: vault.addr, VAULT_TOKEN: ROOT_TOKEN }));
    expect(secrets).toEqual({ OPENAI_API_KEY: 'sk-from-vault', SERPER_API_KEY: 'serper-from-vault', LOG_LEVEL: 'debug' });
    const config = loadConfig({ OPENAI_API_KEY: 'sk-from-env', LLM_MODEL: 'm', ...secrets });
    expect(config.llm.primary?.apiKey).toBe('sk-from-vault');
  });

  it('logs in with the Kubernetes service-account token', async () => {
    const tokenPath = join(dir, 'token');
    await writeFile(tokenPath, `${JWT}\n`);
    const secrets = await readVaultSecrets(loadConfig({ VAULT_ADDR: vault.addr, VAULT_K8S_ROLE: 'luminamind', VAULT_K8S_TOKEN_PATH: tokenPath }));
    expect(secrets.OPENAI_API_KEY).toBe('sk-from-vault');
    expect(vault.requests).toContain('POST /v1/auth/kubernetes/login');
  });

  it.each([
    ['a wrong token', { VAULT_TOKEN: 'hvs.wrong-token-secret' }, /HTTP 403/],
    ['a refused Kubernetes role', { VAULT_K8S_ROLE: 'other' }, /HTTP 403/],
    ['no credentials', {}, /set VAULT_TOKEN or VAULT_K8S_ROLE/],
    ['a missing path', { VAULT_TOKEN: ROOT_TOKEN, VAULT_KV_PATH: 'secret/nothing' }, /HTTP 404/],
  ])('fails the start with AGT_ERR_VAULT_READ_FAILED on %s, naming no token', async (_name, env, message) => {
    const tokenPath = join(dir, 'token');
    await writeFile(tokenPath, JWT);
    const err = await readVaultSecrets(loadConfig({ VAULT_ADDR: vault.addr, VAULT_K8S_TOKEN_PATH: tokenPath, ...env })).catch((e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({ code: 'AGT_ERR_VAULT_READ_FAILED' });
    expect(err!.message).toMatch(message);
    expect(err!.message).not.toMatch(/hvs\.|jwt/i);
  });

  it('fails clearly when Vault is unreachable', async () => {
    await expect(readVaultSecrets(loadConfig({ VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: ROOT_TOKEN }))).rejects.toMatchObject({ code: 'AGT_ERR_VAULT_READ_FAILED' });
  });
});
