import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { buildConnector, Dispatcher } from 'undici';
import { DelegateBackoff, handleWhen, retry, type IRetryBackoffContext } from 'cockatiel';
import type { Config } from '../../config.js';
import { ConfigInvalidError, HttpRequestFailedError, errorCode } from '../../errors.js';
import { SERVICE_VERSION } from '../../version.js';
import { assertUrlAllowed, defaultResolver, guardPolicy, redactUrl, resolveAndCheck, type GuardPolicy, type Resolver } from './ssrf-guard.js';
import type { SecurityEvent, ToolContext } from './types.js';

export const USER_AGENT = `luminamind/${SERVICE_VERSION}`;

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRY_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);
// Credentials must not follow a redirect to another origin (an API key would leak to whoever redirects).
const CROSS_ORIGIN_STRIPPED = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH/;
const CONNECT_FALLBACK_CODES = new Set(['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export interface HttpRequestOptions {
  method?: 'GET' | 'POST' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH';
  headers?: Record<string, string>;
  body?: string;
  /** Sent as JSON with `content-type: application/json`; wins over `body`. */
  json?: unknown;
  /** Shorthand for the Accept header. */
  accept?: string;
  /** Lower than config.web.maxBytes for this call; never higher. */
  maxBytes?: number;
  /** Per attempt; defaults to config.web.timeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Tool name for security events. */
  tool?: string;
  onSecurityEvent?: (event: SecurityEvent) => void;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The final URL after redirects. */
  url: string;
  text: string;
  redirects: number;
  /** Attempts made for the final hop (1 = no retry). */
  attempts: number;
}

export interface HttpClientDeps {
  /** DNS resolution; tests inject a fake so hostile names are judged without real DNS. */
  resolve?: Resolver;
  /** The socket-level connector the guard hands checked addresses to; tests stub it to prove no connect happened. */
  connector?: buildConnector.connector;
  /** First backoff delay (doubles per retry); 500 ms as in the original's backoff 0.5. */
  retryBaseMs?: number;
  /** Longest Retry-After we honour; longer values are capped so a tool call cannot stall for minutes. */
  maxRetryAfterMs?: number;
}

export interface HttpClient {
  request(url: string | URL, opts?: HttpRequestOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** undici's connection pool and request function, made on the client's first request. */
interface Connection {
  readonly dispatcher: Dispatcher;
  readonly request: typeof import('undici').request;
}

interface AttemptResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

class ResponseTooLargeError extends Error {
  readonly code = 'RESPONSE_TOO_LARGE';
}

class AttemptTimeoutError extends Error {
  readonly code = 'ATTEMPT_TIMEOUT';
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function loadCa(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined;
  try {
    // Added to, never replacing, the public roots: a test CA must not make real sites unverifiable.
    return [...rootCertificates, readFileSync(caFile, 'utf8')];
  } catch (err) {
    throw new ConfigInvalidError(`  - WEB_CA_FILE: cannot read ${caFile}: ${(err as Error).message}`);
  }
}

/**
 * Wraps a connector so every connection goes to an address the guard has just approved: resolve, check
 * every answer, then dial the checked IP (SNI and certificate checks still use the original name).
 */
function guardedConnector(base: buildConnector.connector, policy: GuardPolicy, resolve: Resolver): buildConnector.connector {
  return (opts, callback) => {
    const port = opts.port ? Number(opts.port) : opts.protocol === 'https:' ? 443 : 80;
    resolveAndCheck(opts.hostname, port, policy, resolve).then(
      (addresses) => {
        const dial = (i: number): void => {
          const target = addresses[i];
          if (!target) return callback(new Error(`no address left for ${opts.hostname}`), null);
          base({ ...opts, hostname: target.address }, (err, socket) => {
            if (err && i + 1 < addresses.length && CONNECT_FALLBACK_CODES.has(errorCode(err) ?? '')) return dial(i + 1);
            if (err) return callback(err, null);
            callback(null, socket as NonNullable<typeof socket>);
          });
        };
        dial(0);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}

function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isRetryableError(err: Error): boolean {
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown }).cause);
  return code !== undefined && RETRY_ERROR_CODES.has(code);
}

function isTlsError(err: unknown): boolean {
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown } | undefined)?.cause) ?? '';
  return TLS_ERROR.test(code);
}

// Destroying an unread undici body emits an abort error nobody else listens for.
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      discard(body);
      throw new ResponseTooLargeError(`response exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function decode(body: Buffer, contentType: string | undefined): string {
  const charset = /charset=["']?([\w-]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Builds the one HTTP client the web tools share: SSRF guard on every hop and every DNS answer, TLS
 * verification always on (plus WEB_CA_FILE), manual redirects, retries with backoff, timeout and size cap.
 * Prefer `getHttpClient(config)` so the process keeps one connection pool. Settings are checked here (a bad
 * WEB_CA_FILE throws now); undici itself is imported on the first request: it is ~0.7 MB of JavaScript that a
 * service start (and every run that fetches nothing) would otherwise parse for nothing.
 */
export function createHttpClient(config: Config, deps: HttpClientDeps = {}): HttpClient {
  const web = config.web;
  const policy = guardPolicy(config);
  const ca = loadCa(web.caFile);
  let connection: Promise<Connection> | undefined;
  const connect = (): Promise<Connection> =>
    (connection ??= import('undici').then(({ Agent, buildConnector, request }) => {
      const base = deps.connector ?? buildConnector({ ca, timeout: web.timeoutMs });
      const dispatcher = new Agent({
        connect: guardedConnector(base, policy, deps.resolve ?? defaultResolver),
        headersTimeout: web.timeoutMs,
        bodyTimeout: web.timeoutMs,
      });
      return { dispatcher, request };
    }));
  const retryBaseMs = deps.retryBaseMs ?? 500;
  const maxRetryAfterMs = deps.maxRetryAfterMs ?? 10_000;
  const retryPolicy = retry(
    handleWhen(isRetryableError).orWhenResult((r) => RETRY_STATUSES.has((r as AttemptResult).status)),
    {
      maxAttempts: web.retries,
      backoff: new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => {
        const exponential = retryBaseMs * 2 ** (ctx.attempt - 1);
        if (!('value' in ctx.result)) return exponential;
        const retryAfter = parseRetryAfter((ctx.result.value as AttemptResult).headers['retry-after']);
        return retryAfter === undefined ? exponential : Math.min(retryAfter, maxRetryAfterMs);
      }),
    },
  );

  async function attempt(url: URL, init: { method: string; headers: Record<string, string>; body?: string }, timeoutMs: number, maxBytes: number, signal?: AbortSignal): Promise<AttemptResult> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const { dispatcher, request } = await connect();
    try {
      const res = await request(url, { dispatcher, method: init.method as Dispatcher.HttpMethod, headers: init.headers, body: init.body, signal: combined });
      const headers = flattenHeaders(res.headers);
      if (REDIRECT_STATUSES.has(res.statusCode)) {
        await res.body.dump();
        return { status: res.statusCode, headers, body: Buffer.alloc(0) };
      }
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(res.body);
        throw new ResponseTooLargeError(`response of ${declared} bytes exceeds ${maxBytes} bytes`);
      }
      return { status: res.statusCode, headers, body: await readCapped(res.body, maxBytes) };
    } catch (err) {
      if (timeout.aborted && !signal?.aborted) throw new AttemptTimeoutError(`timed out after ${timeoutMs} ms`);
      throw err;
    }
  }

  async function send(start: string | URL, opts: HttpRequestOptions): Promise<HttpResponse> {
    let method: string = opts.method ?? 'GET';
    let body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.body;
    let headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      'accept-encoding': 'identity',
      ...(opts.accept ? { accept: opts.accept } : {}),
      ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    };
    const timeoutMs = opts.timeoutMs ?? web.timeoutMs;
    const maxBytes = Math.min(opts.maxBytes ?? web.maxBytes, web.maxBytes);
    let current = assertUrlAllowed(start, policy).url;
    for (let redirects = 0; ; redirects++) {
      let attempts = 0;
      const init = { method, headers, body };
      const res = await retryPolicy.execute(() => {
        attempts++;
        return attempt(current, init, timeoutMs, maxBytes, opts.signal);
      }, opts.signal);
      const location = res.headers.location;
      if (!REDIRECT_STATUSES.has(res.status) || !location) {
        return { status: res.status, headers: res.headers, url: current.toString(), text: decode(res.body, res.headers['content-type']), redirects, attempts };
      }
      if (redirects >= web.maxRedirects) throw new HttpRequestFailedError(`Too many redirects (more than ${web.maxRedirects}) from ${redactUrl(start)}`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new HttpRequestFailedError(`Invalid redirect location from ${redactUrl(current)}`);
      }
      // Every hop passes the full guard again: scheme, credentials, host lists, literal address (DNS in the connector).
      const checked = assertUrlAllowed(next, policy).url;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type' && k !== 'content-length'));
      }
      if (checked.origin !== current.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CROSS_ORIGIN_STRIPPED.includes(k)));
      current = checked;
    }
  }

  return {
    // A client that never made a request has no pool to close.
    close: async () => {
      if (connection) await (await connection).dispatcher.close();
    },
    async request(url, opts = {}) {
      const tool = opts.tool ?? 'http';
      try {
        return await send(url, opts);
      } catch (err) {
        throw translateError(err, url, tool, opts.onSecurityEvent);
      }
    },
  };
}

function translateError(err: unknown, url: string | URL, tool: string, onSecurityEvent?: (event: SecurityEvent) => void): Error {
  const shown = redactUrl(url);
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'AGT_ERR_URL_REFUSED') {
    onSecurityEvent?.({ type: 'ssrf_blocked', tool, detail: { url: shown, reason: message } });
    return err as Error;
  }
  if (code === 'AGT_ERR_HTTP_REQUEST_FAILED' || code === 'AGT_ERR_CONFIG_INVALID') return err as Error;
  if (isTlsError(err)) {
    const tlsCode = errorCode(err) ?? errorCode((err as { cause?: unknown }).cause);
    onSecurityEvent?.({ type: 'tls_error', tool, detail: { url: shown, code: tlsCode, reason: message } });
    return new HttpRequestFailedError(`TLS verification failed for ${shown}: ${tlsCode}: ${message}`);
  }
  if (err instanceof ResponseTooLargeError) return new HttpRequestFailedError(`Response from ${shown} is too large: ${message} (WEB_MAX_BYTES)`);
  if (err instanceof AttemptTimeoutError) return new HttpRequestFailedError(`Request to ${shown} ${message} (WEB_TIMEOUT_MS)`);
  return new HttpRequestFailedError(`Request to ${shown} failed: ${code ? `${code}: ` : ''}${message}`);
}

const clients = new WeakMap<Config, HttpClient>();

/** The shared client for this Config (one connection pool per process and config). */
export function getHttpClient(config: Config): HttpClient {
  let client = clients.get(config);
  if (!client) {
    client = createHttpClient(config);
    clients.set(config, client);
  }
  return client;
}

/** Closes and forgets the shared client of this Config (tests and graceful shutdown). */
export async function closeHttpClient(config: Config): Promise<void> {
  const client = clients.get(config);
  clients.delete(config);
  await client?.close();
}

/**
 * What the web tools call: the shared client with the run's signal and security hook.
 *
 * @example
 *   const res = await httpRequest(ctx, 'https://example.com/', { accept: 'text/html', tool: 'fetch_as_markdown' });
 *   if (res.status === 200) console.log(res.text);
 */
export function httpRequest(ctx: ToolContext, url: string | URL, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  return getHttpClient(ctx.config).request(url, { signal: ctx.signal, onSecurityEvent: ctx.onSecurityEvent, ...opts });
}


/**
 * An API's own error text from a failed response (`{error: {message}}`, `{error: "…"}` or `{message}`, the shapes
 * Google, Serper, Ollama and WeatherAPI use), else the body, whitespace folded and cut to 200 chars.
 */
export function responseErrorMessage(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.text) as { error?: { message?: unknown } | string; message?: unknown };
    const msg = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (typeof msg === 'string' && msg) return msg;
  } catch {
    // not JSON: fall back to the raw body
  }
  return res.text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'no body';
}
