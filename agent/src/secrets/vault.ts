import { readFile } from 'node:fs/promises';
import { configVariables, type Config } from '../config.js';
import { VaultReadFailedError } from '../errors.js';

export const VAULT_TIMEOUT_MS = 5_000;

type VaultConfig = NonNullable<Config['vault']>;

async function vaultRequest(vault: VaultConfig, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${vault.addr.replace(/\/$/, '')}/v1/${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { 'x-vault-token': init.token } : {}),
      ...(vault.namespace ? { 'x-vault-namespace': vault.namespace } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(VAULT_TIMEOUT_MS),
    redirect: 'error',
  }).catch((err: unknown) => {
    throw new VaultReadFailedError(path, `unreachable (${err instanceof Error ? err.message : 'error'})`);
  });
  // Vault's error bodies name no secrets, but the message is kept to the status: tokens must never reach a log.
  if (!res.ok) {
    await res.body?.cancel();
    throw new VaultReadFailedError(path, `HTTP ${res.status}`);
  }
  return res.json();
}

/** A Vault token: VAULT_TOKEN, else a Kubernetes service-account login against the configured role. */
async function vaultToken(vault: VaultConfig): Promise<string> {
  if (vault.token) return vault.token;
  if (!vault.kubernetes) throw new VaultReadFailedError('auth', 'set VAULT_TOKEN or VAULT_K8S_ROLE');
  const jwt = (await readFile(vault.kubernetes.tokenPath, 'utf8').catch(() => {
    throw new VaultReadFailedError('auth', `cannot read the service-account token at ${vault.kubernetes!.tokenPath}`);
  })).trim();
  const login = (await vaultRequest(vault, `auth/${vault.kubernetes.mount}/login`, { method: 'POST', body: { role: vault.kubernetes.role, jwt } })) as {
    auth?: { client_token?: unknown };
  };
  const token = login.auth?.client_token;
  if (typeof token !== 'string' || !token) throw new VaultReadFailedError('auth', 'the Kubernetes login returned no client token');
  return token;
}

/**
 * Reads the KV v2 secret at VAULT_KV_PATH once at start and returns the entries that are LuminaMind variables
 * (model, search and weather keys, API key hashes, Redis password…), to be laid over the environment before
 * loadConfig. Unknown keys are ignored; nothing here is logged.
 *
 * @example
 *   const env = processEnvironment();
 *   const config = loadConfig({ ...env, ...(await readVaultSecrets(loadConfig(env))) });
 */
export async function readVaultSecrets(config: Config): Promise<Record<string, string>> {
  const vault = config.vault;
  if (!vault) return {};
  const token = await vaultToken(vault);
  const slash = vault.kvPath.indexOf('/');
  const mount = vault.kvPath.slice(0, slash);
  const path = vault.kvPath.slice(slash + 1);
  const body = (await vaultRequest(vault, `${mount}/data/${path}`, { token })) as { data?: { data?: Record<string, unknown> } };
  const data = body.data?.data;
  if (!data || typeof data !== 'object') throw new VaultReadFailedError(vault.kvPath, 'no KV v2 data at this path');
  const known = new Set(configVariables.filter((v) => !v.startsWith('VAULT_')));
  return Object.fromEntries(Object.entries(data).filter(([k, v]) => known.has(k) && typeof v === 'string') as [string, string][]);
}
