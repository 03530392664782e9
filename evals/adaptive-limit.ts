/**
 * How many runs go at once, adapting to the model's answers (additive increase, multiplicative decrease, as TCP
 * does): a run refused for rate or capacity (429, 503, "rate limit") halves the limit, down to 1; every `limit`
 * clean runs in a row raise it by one, up to the configured concurrency. Runs above the limit wait their turn.
 *
 * @example
 *   const limit = adaptiveLimit(8);
 *   const x = await limit.run(() => target.execute(job, task, web), (x) => refusedForRate(x.error?.message));
 */
export function adaptiveLimit(max: number): { run<T>(fn: () => Promise<T>, refused: (value: T) => boolean): Promise<T>; current(): number; lowest(): number } {
  let limit = Math.max(1, max);
  let lowest = limit;
  let active = 0;
  let clean = 0;
  const waiting: (() => void)[] = [];
  const wake = (): void => {
    while (active < limit && waiting.length) {
      active++;
      waiting.shift()!();
    }
  };
  const acquire = (): Promise<void> =>
    new Promise((resolve) => {
      waiting.push(resolve);
      wake();
    });
  return {
    async run(fn, refused) {
      await acquire();
      try {
        const value = await fn();
        if (refused(value)) {
          limit = Math.max(1, Math.floor(limit / 2));
          lowest = Math.min(lowest, limit);
          clean = 0;
        } else if (++clean >= limit && limit < max) {
          limit++;
          clean = 0;
        }
        return value;
      } finally {
        active--;
        wake();
      }
    },
    current: () => limit,
    lowest: () => lowest,
  };
}

/** A harness error that says the model refused for rate or capacity (after its own retries). */
export function refusedForRate(message: string | undefined): boolean {
  return message !== undefined && /\b(429|503)\b|rate.?limit|too many requests|overloaded/i.test(message);
}
