import { adaptiveLimit, refusedForRate } from './adaptive-limit.js';

// Concurrency is counted with promises held open by the test, never with time.

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('adaptive concurrency', () => {
  it('halves on a refused run, never below 1, and climbs back one step per `limit` clean runs', async () => {
    const limit = adaptiveLimit(8);
    await limit.run(async () => 'x', () => true);
    expect(limit.current()).toBe(4);
    for (let i = 0; i < 5; i++) await limit.run(async () => 'x', () => true);
    expect(limit.current()).toBe(1);
    expect(limit.lowest()).toBe(1);
    await limit.run(async () => 'ok', () => false);
    expect(limit.current()).toBe(2);
    await limit.run(async () => 'ok', () => false);
    await limit.run(async () => 'ok', () => false);
    expect(limit.current()).toBe(3);
  });

  it('holds runs above the limit until one finishes', async () => {
    const limit = adaptiveLimit(2);
    const gates = [gate(), gate(), gate()];
    let running = 0;
    let peak = 0;
    const runs = gates.map((g) =>
      limit.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await g.promise;
        running--;
      }, () => false),
    );
    await Promise.resolve();
    expect(running).toBe(2);
    gates[0]!.open();
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(runs);
    expect(peak).toBe(2);
  });

  it('can fail: without the back-off (refusal ignored) the limit stays at its maximum', async () => {
    const limit = adaptiveLimit(8);
    for (let i = 0; i < 3; i++) await limit.run(async () => 'x', () => false);
    expect(limit.current()).toBe(8);
  });

  it('recognises rate and capacity refusals in a harness error', () => {
    expect(refusedForRate('Model endpoint answered 429 Too Many Requests')).toBe(true);
    expect(refusedForRate('AGT_ERR_MODEL_UNAVAILABLE: upstream 503')).toBe(true);
    expect(refusedForRate('fixture file escapes the workspace')).toBe(false);
    expect(refusedForRate(undefined)).toBe(false);
  });
});
