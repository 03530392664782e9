import { z } from 'zod';
import { ConfigInvalidError } from './errors.js';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = z.url({ protocol: /^https?$/ });

/** The original's shell allowlist; each program's arguments are vetted by the shell tool's policy. */
export const DEFAULT_SHELL_PROGRAMS = ['ls', 'cat', 'grep', 'find', 'git', 'npm', 'yarn', 'python', 'pytest', 'echo', 'pwd', 'which'];

/**
 * Every environment variable LuminaMind reads, with its default. The names are a stable contract: scripts, CI and
 * deploy/ set them, and README.md lists them.
 * Secrets (keys, hashes) live here too but are never logged: see `redactConfig`.
 */
const EnvSchema = z.object({
  OPENAI_BASE_URL: url.optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_FALLBACK_BASE_URL: url.optional(),
  LLM_FALLBACK_API_KEY: z.string().min(1).optional(),
  LLM_FALLBACK_MODEL: z.string().min(1).optional(),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.7),
  LLM_TIMEOUT_MS: int(100, 600_000).default(30_000),
  LLM_MAX_ATTEMPTS: int(1, 10).default(3),
  LLM_RETRY_MIN_MS: int(0, 60_000).default(2_000),
  LLM_RETRY_MAX_MS: int(0, 300_000).default(10_000),
  LLM_BREAKER_FAILURES: int(1, 1000).default(5),
  LLM_BREAKER_HALF_OPEN_MS: int(10, 3_600_000).default(60_000),
  LLM_PRICE_INPUT_PER_MTOK: z.coerce.number().min(0).default(0),
  LLM_PRICE_OUTPUT_PER_MTOK: z.coerce.number().min(0).default(0),

  APPROVAL_POLICY: z.enum(['ask', 'auto', 'deny']).default('ask'),
  RECURSION_LIMIT: int(10, 10_000).default(1000),
  SUMMARIZE_AFTER_TOKENS: int(1000, 10_000_000).default(170_000),
  SUMMARIZE_KEEP_MESSAGES: int(1, 1000).default(6),

  WORKSPACE_ROOT: z.string().min(1).default('./workspace'),
  /**
   * `serve` sweeps WORKSPACE_ROOT this often and removes the folders of threads with no state left (expired,
   * evicted, erased, lost in a restart) not modified for as long; 0 never sweeps.
   */
  WORKSPACE_SWEEP_SECONDS: int(0, 30 * 86_400).default(600),
  SHELL_ALLOWED_PROGRAMS: list.default(DEFAULT_SHELL_PROGRAMS),
  SHELL_DEFAULT_TIMEOUT_MS: int(100, 300_000).default(20_000),
  SHELL_SANDBOX: z.enum(['auto', 'required', 'off']).default('auto'),
  SHELL_LIMIT_CPU_SECONDS: int(1, 86_400).default(60),
  SHELL_LIMIT_MEMORY_MB: int(64, 1_048_576).default(4096),
  SHELL_LIMIT_PROCESSES: int(1, 1_000_000).default(256),
  SHELL_LIMIT_FILE_SIZE_MB: int(1, 1_048_576).default(256),
  SHELL_LIMIT_OPEN_FILES: int(16, 1_048_576).default(1024),
  SHELL_SANDBOX_TMP_MB: int(1, 1_048_576).default(256),
  TOOL_OUTPUT_MAX_BYTES: int(1024, 100_000_000).default(1_000_000),

  WEB_ALLOW_HOSTS: list.default([]),
  WEB_DENY_HOSTS: list.default([]),
  WEB_TIMEOUT_MS: int(100, 300_000).default(30_000),
  WEB_MAX_BYTES: int(1024, 100_000_000).default(5_000_000),
  WEB_MAX_REDIRECTS: int(0, 20).default(5),
  WEB_RETRIES: int(0, 10).default(3),
  WEB_CA_FILE: z.string().min(1).optional(),
  DISABLE_WEB_SEARCH: bool.default(false),
  GOOGLE_API_KEY: z.string().min(1).optional(),
  GOOGLE_CSE_ID: z.string().min(1).optional(),
  GOOGLE_CSE_BASE_URL: url.default('https://www.googleapis.com/customsearch/v1'),
  SERPER_API_KEY: z.string().min(1).optional(),
  SERPER_BASE_URL: url.default('https://google.serper.dev/search'),
  OLLAMA_API_KEY: z.string().min(1).optional(),
  OLLAMA_SEARCH_BASE_URL: url.default('https://ollama.com/api/web_search'),
  WEATHER_API_KEY: z.string().min(1).optional(),
  WEATHER_BASE_URL: url.default('https://api.weatherapi.com/v1'),

  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Sentinel mode (Kubernetes HA): comma-separated host:port of the Sentinels; takes precedence over REDIS_URL. */
  REDIS_SENTINELS: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'each sentinel must be host:port'))).optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  /** Password for the Redis nodes and the Sentinels alike (one secret, rotated together). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** Expire a thread's checkpoints this long after its last write; unset keeps them until DELETE /v1/threads/:id. */
  CHECKPOINT_TTL_SECONDS: int(60, 10 * 365 * 86_400).optional(),
  /** Threads the in-memory checkpointer keeps (no Redis); beyond it the least recently used is evicted, workspace included. */
  CHECKPOINT_MEMORY_MAX_THREADS: int(1, 10_000_000).default(1000),
  /** Serialized state (MB) the in-memory checkpointer keeps, all threads together; beyond it the least recently used threads go too. */
  CHECKPOINT_MEMORY_MAX_MB: int(1, 1_048_576).default(256),
  /** Entries of the in-process tool cache (no Redis); beyond it the least recently used is evicted. */
  CACHE_MEMORY_MAX_ENTRIES: int(1, 10_000_000).default(10_000),
  /** Rate-limit windows (key × tool) kept in process (no Redis, or Redis down); beyond it the oldest is dropped. */
  RATE_LIMIT_MEMORY_MAX_KEYS: int(1, 10_000_000).default(100_000),
  ENABLE_CACHING: bool.default(true),
  CACHE_TTL_SECONDS: int(1, 30 * 86_400).default(3600),
  RATE_LIMIT_WEB_SEARCH_PER_MIN: int(1, 1_000_000).default(10),
  RATE_LIMIT_FETCH_PER_MIN: int(1, 1_000_000).default(20),
  RATE_LIMIT_SHELL_PER_MIN: int(1, 1_000_000).default(30),
  RATE_LIMIT_WEATHER_PER_MIN: int(1, 1_000_000).default(100),
  /** Requests per minute per API key at the HTTP edge (@fastify/rate-limit); 429 with Retry-After beyond it. */
  RATE_LIMIT_REQUESTS_PER_MIN: int(1, 1_000_000).default(120),

  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65_535).default(8000),
  METRICS_PORT: int(0, 65_535).optional(),
  AUTH: z.enum(['apikey', 'none']).default('apikey'),
  API_KEY_HASHES: list
    .pipe(z.array(z.string().regex(/^[0-9a-f]{64}$/, 'each hash must be 64 lowercase hex chars (sha256)')))
    .default([]),
  LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  /** Vault (KV v2) read once at start: secrets there fill in (and win over) the environment. */
  VAULT_ADDR: url.optional(),
  VAULT_TOKEN: z.string().min(1).optional(),
  /** KV v2 mount and path, e.g. `secret/luminamind` (mount `secret`, path `luminamind`). */
  VAULT_KV_PATH: z.string().regex(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_/-]+$/, 'must be <mount>/<path>').default('secret/luminamind'),
  VAULT_K8S_ROLE: z.string().min(1).optional(),
  VAULT_K8S_MOUNT: z.string().min(1).default('kubernetes'),
  VAULT_K8S_TOKEN_PATH: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
  VAULT_NAMESPACE: z.string().min(1).optional(),
  // The harness's settings (judge model, signing key, CI summary) live in bin/harness-config.ts, not here.
});

export interface ModelEndpoint {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
}

function toConfig(env: z.infer<typeof EnvSchema>) {
  const primary: ModelEndpoint | undefined =
    env.OPENAI_BASE_URL || env.LLM_MODEL || env.OPENAI_API_KEY
      ? { baseUrl: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', apiKey: env.OPENAI_API_KEY ?? 'none', model: env.LLM_MODEL ?? 'gpt-4o-mini' }
      : undefined;
  const fallback: ModelEndpoint | undefined = env.LLM_FALLBACK_MODEL
    ? {
        baseUrl: env.LLM_FALLBACK_BASE_URL ?? primary?.baseUrl ?? 'https://api.openai.com/v1',
        apiKey: env.LLM_FALLBACK_API_KEY ?? primary?.apiKey ?? 'none',
        model: env.LLM_FALLBACK_MODEL,
      }
    : undefined;
  return {
    llm: {
      /** Undefined when no model is configured: the harness then runs in simulated mode. */
      primary,
      fallback,
      temperature: env.LLM_TEMPERATURE,
      timeoutMs: env.LLM_TIMEOUT_MS,
      retry: { maxAttempts: env.LLM_MAX_ATTEMPTS, minDelayMs: env.LLM_RETRY_MIN_MS, maxDelayMs: env.LLM_RETRY_MAX_MS },
      breaker: { failureThreshold: env.LLM_BREAKER_FAILURES, halfOpenAfterMs: env.LLM_BREAKER_HALF_OPEN_MS },
      pricePerMTok: { input: env.LLM_PRICE_INPUT_PER_MTOK, output: env.LLM_PRICE_OUTPUT_PER_MTOK },
    },
    agent: {
      approvalPolicy: env.APPROVAL_POLICY,
      recursionLimit: env.RECURSION_LIMIT,
      summarizeAfterTokens: env.SUMMARIZE_AFTER_TOKENS,
      summarizeKeepMessages: env.SUMMARIZE_KEEP_MESSAGES,
    },
    tools: {
      workspaceRoot: env.WORKSPACE_ROOT,
      workspaceSweepSeconds: env.WORKSPACE_SWEEP_SECONDS,
      outputMaxBytes: env.TOOL_OUTPUT_MAX_BYTES,
      shell: {
        allowedPrograms: env.SHELL_ALLOWED_PROGRAMS,
        defaultTimeoutMs: env.SHELL_DEFAULT_TIMEOUT_MS,
        /** The OS sandbox under every tool process: `auto` uses it when it works, `required` makes /ready fail without it, `off` is unsafe. */
        sandbox: {
          mode: env.SHELL_SANDBOX,
          limits: {
            cpuSeconds: env.SHELL_LIMIT_CPU_SECONDS,
            memoryMb: env.SHELL_LIMIT_MEMORY_MB,
            processes: env.SHELL_LIMIT_PROCESSES,
            fileSizeMb: env.SHELL_LIMIT_FILE_SIZE_MB,
            openFiles: env.SHELL_LIMIT_OPEN_FILES,
            tmpMb: env.SHELL_SANDBOX_TMP_MB,
          },
        },
      },
    },
    web: {
      allowHosts: env.WEB_ALLOW_HOSTS,
      denyHosts: env.WEB_DENY_HOSTS,
      timeoutMs: env.WEB_TIMEOUT_MS,
      maxBytes: env.WEB_MAX_BYTES,
      maxRedirects: env.WEB_MAX_REDIRECTS,
      retries: env.WEB_RETRIES,
      caFile: env.WEB_CA_FILE,
      searchDisabled: env.DISABLE_WEB_SEARCH,
      search: {
        google: { apiKey: env.GOOGLE_API_KEY, cseId: env.GOOGLE_CSE_ID, baseUrl: env.GOOGLE_CSE_BASE_URL },
        serper: { apiKey: env.SERPER_API_KEY, baseUrl: env.SERPER_BASE_URL },
        ollama: { apiKey: env.OLLAMA_API_KEY, baseUrl: env.OLLAMA_SEARCH_BASE_URL },
      },
      weather: { apiKey: env.WEATHER_API_KEY, baseUrl: env.WEATHER_BASE_URL },
    },
    store: {
      redisUrl: env.REDIS_URL,
      /** Set means Sentinel mode: ioredis `{ sentinels, name, password, sentinelPassword: password }`. */
      redisSentinel: env.REDIS_SENTINELS?.length
        ? {
            sentinels: env.REDIS_SENTINELS.map((s) => ({ host: s.slice(0, s.lastIndexOf(':')), port: Number(s.slice(s.lastIndexOf(':') + 1)) })),
            name: env.REDIS_SENTINEL_NAME,
          }
        : undefined,
      redisPassword: env.REDIS_PASSWORD,
      checkpointTtlSeconds: env.CHECKPOINT_TTL_SECONDS,
      /** Bounds of the in-process stores: they must not grow with traffic. */
      memory: { maxThreads: env.CHECKPOINT_MEMORY_MAX_THREADS, maxBytes: env.CHECKPOINT_MEMORY_MAX_MB * 1024 * 1024, maxCacheEntries: env.CACHE_MEMORY_MAX_ENTRIES, maxRateLimitKeys: env.RATE_LIMIT_MEMORY_MAX_KEYS },
      cache: { enabled: env.ENABLE_CACHING, defaultTtlSeconds: env.CACHE_TTL_SECONDS },
      toolRateLimitsPerMinute: {
        web_search: env.RATE_LIMIT_WEB_SEARCH_PER_MIN,
        fetch_as_markdown: env.RATE_LIMIT_FETCH_PER_MIN,
        shell: env.RATE_LIMIT_SHELL_PER_MIN,
        get_weather: env.RATE_LIMIT_WEATHER_PER_MIN,
      },
    },
    server: {
      host: env.HOST,
      port: env.PORT,
      metricsPort: env.METRICS_PORT,
      auth: env.AUTH,
      apiKeyHashes: env.API_KEY_HASHES,
      requestsPerMinute: env.RATE_LIMIT_REQUESTS_PER_MIN,
    },
    log: { level: env.LOG_LEVEL },
    otel: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT },
    vault: env.VAULT_ADDR
      ? {
          addr: env.VAULT_ADDR,
          token: env.VAULT_TOKEN,
          kvPath: env.VAULT_KV_PATH,
          kubernetes: env.VAULT_K8S_ROLE ? { role: env.VAULT_K8S_ROLE, mount: env.VAULT_K8S_MOUNT, tokenPath: env.VAULT_K8S_TOKEN_PATH } : undefined,
          namespace: env.VAULT_NAMESPACE,
        }
      : undefined,
  };
}

export type Config = DeepReadonly<ReturnType<typeof toConfig>>;
type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Parses the environment once into a frozen Config. Every problem is reported together, so an operator
 * fixes a bad deployment in one pass. Empty strings count as unset (a common shell and k8s artefact).
 *
 * @example
 *   const config = loadConfig({ LLM_MODEL: 'gpt-4o-mini', OPENAI_API_KEY: 'sk-…' });
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(env)'}: ${i.message}`).join('\n');
    throw new ConfigInvalidError(problems);
  }
  return deepFreeze(toConfig(parsed.data));
}

/** A copy of the process environment, for start-up steps that add to it (Vault secrets) before loadConfig. */
export function processEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}

/** The environment variables LuminaMind reads, for `--help` output and docs. */
export const configVariables = Object.keys(EnvSchema.shape);

const SECRET_KEYS = /key|token|secret|password|hash/i;

/** A copy safe to log or to write into a report: every secret replaced by "[redacted]". */
export function redactConfig(config: Config): unknown {
  return JSON.parse(JSON.stringify(config, (k, v) => (SECRET_KEYS.test(k) && v !== undefined ? '[redacted]' : v)));
}
