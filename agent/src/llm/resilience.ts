import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface ResilienceOptions {
  /** Total tries per call, the first included (the original's policy: 3). */
  readonly retry: { readonly maxAttempts: number; readonly minDelayMs: number; readonly maxDelayMs: number };
  /** Opens after `failureThreshold` consecutive transient failures; probes again after `halfOpenAfterMs`. */
  readonly breaker: { readonly failureThreshold: number; readonly halfOpenAfterMs: number };
  /** Per attempt: a streamed call must finish within it too. */
  readonly timeoutMs: number;
}

export interface BreakerSnapshot {
  readonly state: BreakerState;
  /** When the breaker last opened (ISO), while it is open. */
  readonly openedAt?: string;
  /** Time until the next call is let through as a half-open probe, while it is open. */
  readonly retryAfterMs?: number;
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal | undefined;
  readonly committed?: () => boolean;
  readonly onAttemptFailure?: (err: unknown) => void;
}

/** Thrown (wrapping the cause) when a streamed answer failed after some of it was already delivered. */
export class PartialResponseError extends Error {
  constructor(cause: unknown) {
    super(`stream failed after partial output: ${messageOf(cause)}`, { cause });
    this.name = 'PartialResponseError';
  }
}

const TRANSIENT_STATUS = new Set([408, 409, 425, 429]);
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True for failures worth retrying and counting against the endpoint: 408/409/425/429/5xx, timeouts, broken connections. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof BrokenCircuitError || err instanceof PartialResponseError) return false;
  if (err instanceof TaskCancelledError) return true;
  const status = statusOf(err);
  if (status !== undefined) return status >= 500 || TRANSIENT_STATUS.has(status);
  if (!(err instanceof Error)) return false;
  const name = err.constructor.name;
  // openai's APIConnectionError has no status; @langchain/openai rewrites SDK timeouts to a plain Error named TimeoutError.
  if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError' || err.name === 'TimeoutError') return true;
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  // undici reports a socket closed mid-body as TypeError('terminated').
  return err instanceof TypeError && /terminated|fetch failed|other side closed/i.test(err.message);
}

/** A timeout raised by our own timeout policy (the caller's abort is not one). */
export function isTimeoutError(err: unknown): boolean {
  return err instanceof TaskCancelledError || (err instanceof Error && err.name === 'TimeoutError');
}

export function isBrokenCircuit(err: unknown): boolean {
  return err instanceof BrokenCircuitError;
}

function retryAfterMs(err: unknown): number | undefined {
  const headers = typeof err === 'object' && err !== null && 'headers' in err ? (err as { headers?: unknown }).headers : undefined;
  if (!(headers instanceof Headers)) return undefined;
  // OpenAI sends retry-after-ms (precise) next to the standard retry-after (seconds or an HTTP date).
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Exponential backoff min·2^(n-1), capped at max (tenacity's wait_exponential(multiplier=1, min, max) in the original),
 * stretched to honour a server's Retry-After when that is longer, still capped at max.
 */
class ExponentialRetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.max(0, context.attempt - 1));
    const hinted = 'error' in context.result ? retryAfterMs(context.result.error) : undefined;
    const duration = hinted === undefined ? base : Math.min(this.maxMs, Math.max(base, hinted));
    return { duration, next: (ctx) => this.next(ctx) };
  }
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * retry ∘ circuit breaker ∘ timeout for one endpoint. Every attempt counts towards the breaker, so
 * failureThreshold=5 with 3 attempts per call opens it during the second failing call; an open breaker is
 * never retried (the caller falls back instead).
 *
 * @example
 *   const policy = new EndpointPolicy(config.llm);
 *   const answer = await policy.execute((signal) => fetchAnswer(signal), callerSignal);
 */
export class EndpointPolicy {
  readonly #retry: RetryPolicy;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #timeout: TimeoutPolicy;
  readonly #halfOpenAfterMs: number;
  readonly #timeoutMs: number;
  #openedAt: number | undefined;

  constructor(options: ResilienceOptions) {
    this.#halfOpenAfterMs = options.breaker.halfOpenAfterMs;
    this.#timeoutMs = options.timeoutMs;
    this.#retry = retry(
      handleWhen((err) => isTransientError(err)),
      {
        maxAttempts: Math.max(0, options.retry.maxAttempts - 1),
        backoff: new ExponentialRetryAfterBackoff(options.retry.minDelayMs, options.retry.maxDelayMs),
      },
    );
    this.#breaker = circuitBreaker(
      // A stream that broke half-way still says the endpoint is unhealthy, though it must not be retried.
      handleWhen((err) => isTransientError(err instanceof PartialResponseError ? err.cause : err)),
      { halfOpenAfter: options.breaker.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breaker.failureThreshold) },
    );
    this.#timeout = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
    this.#breaker.onBreak(() => {
      this.#openedAt = Date.now();
    });
    this.#breaker.onReset(() => {
      this.#openedAt = undefined;
    });
  }

  /**
   * Runs `fn` under the policies. `fn` gets an AbortSignal that fires on timeout or when `options.signal` aborts.
   * `committed()` tells whether output already reached the consumer: a failure then is not retried.
   * `onAttemptFailure` sees each failed attempt (the final error may instead be the breaker refusing a retry).
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions = {}): Promise<T> {
    const { signal, committed = () => false, onAttemptFailure } = options;
    return this.#retry.execute(
      (retryCtx) =>
        this.#breaker.execute(async (breakerCtx) => {
          try {
            return await this.#timeout.execute(async (timeoutCtx) => {
              try {
                return await fn(timeoutCtx.signal);
              } catch (err) {
                // The SDK's abort error can win the race against the policy's own: either way it was our timeout.
                if (timeoutCtx.signal.aborted && !breakerCtx.signal.aborted) throw new TaskCancelledError(`timed out after ${this.#timeoutMs} ms`);
                throw err;
              }
            }, breakerCtx.signal);
          } catch (err) {
            const failure = committed() ? new PartialResponseError(err) : err;
            onAttemptFailure?.(failure);
            throw failure;
          }
        }, retryCtx.signal),
      signal,
    );
  }

  get state(): BreakerState {
    return STATE_NAMES[this.#breaker.state];
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    if (state !== 'open' || this.#openedAt === undefined) return { state };
    return {
      state,
      openedAt: new Date(this.#openedAt).toISOString(),
      retryAfterMs: Math.max(0, this.#openedAt + this.#halfOpenAfterMs - Date.now()),
    };
  }

  /** Every breaker transition, e.g. to log it, count it or flip /ready. Returns an unsubscribe function. */
  onStateChange(listener: (state: BreakerState) => void): () => void {
    const sub = this.#breaker.onStateChange((s) => listener(STATE_NAMES[s]));
    return () => sub.dispose();
  }
}
