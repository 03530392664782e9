import { type Cassette, type CassetteInput, type ScriptInput, loadCassettes as readCassettes, parseCassette } from './cassette.js';
import { type Faults, type FaultsInput, FaultsSchema, seededRandom } from './faults.js';
import { CassetteStore } from './store.js';

export type CassetteSource = Cassette | CassetteInput | ScriptInput | readonly (Cassette | CassetteInput | ScriptInput)[] | string | readonly string[];

export interface SimStats {
  /** Chat-completion requests received. */
  requests: number;
  /** Chat completions answered with 200. */
  served: number;
  streamed: number;
  misses: number;
  badRequests: number;
  recorded: number;
  upstreamErrors: number;
  faults: { errors: number; failNext: number; hangs: number; cutStreams: number; delayed: number };
  tokens: { prompt: number; completion: number };
  inFlight: number;
  byCassette: Record<string, number>;
}

export function emptyStats(): SimStats {
  return {
    requests: 0,
    served: 0,
    streamed: 0,
    misses: 0,
    badRequests: 0,
    recorded: 0,
    upstreamErrors: 0,
    faults: { errors: 0, failNext: 0, hangs: 0, cutStreams: 0, delayed: 0 },
    tokens: { prompt: 0, completion: 0 },
    inFlight: 0,
    byCassette: {},
  };
}

/**
 * Everything the simulator remembers between requests: loaded cassettes, the current faults (with their seeded
 * coin and failNext countdown), held requests of a hang, and the counters. The routes read and change it; nothing
 * here knows about HTTP.
 *
 * @example
 *   const state = new SimState({ errorRate: 0.2 });
 *   await state.loadCassettes('datasets/cassettes');
 *   if (state.takeFault()) ...
 */
export class SimState {
  readonly store = new CassetteStore();
  stats: SimStats = emptyStats();
  closed = false;
  private current: Faults;
  private random: () => number;
  private failNext: number;
  private readonly hanging = new Set<() => void>();

  constructor(faults: FaultsInput = {}) {
    this.current = FaultsSchema.parse(faults);
    this.random = seededRandom(this.current.seed);
    this.failNext = this.current.failNext;
  }

  get faults(): Faults {
    return this.current;
  }

  get failNextRemaining(): number {
    return this.failNext;
  }

  /** Replaces all faults (re-seeding the coin) and lifts a hang unless the new faults hang too. */
  setFaults(input: FaultsInput): void {
    this.current = FaultsSchema.parse(input);
    this.random = seededRandom(this.current.seed);
    this.failNext = this.current.failNext;
    if (!this.current.hang) this.releaseHangs();
  }

  /** Which injected failure this request gets, if any: failNext first, then the seeded error rate. Counts it. */
  takeFault(): string | undefined {
    if (this.failNext > 0) {
      this.failNext -= 1;
      this.stats.faults.failNext += 1;
      this.stats.faults.errors += 1;
      return `failNext, ${this.failNext} left`;
    }
    if (this.current.errorRate > 0 && this.random() < this.current.errorRate) {
      this.stats.faults.errors += 1;
      return `errorRate ${this.current.errorRate}`;
    }
    return undefined;
  }

  /** Holds a request until the hang is lifted, the server closes, or `onGone` fires (the client left). */
  hold(onGone: (release: () => void) => void): Promise<void> {
    this.stats.faults.hangs += 1;
    return new Promise<void>((resolve) => {
      const release = (): void => {
        this.hanging.delete(release);
        resolve();
      };
      this.hanging.add(release);
      onGone(release);
    });
  }

  releaseHangs(): void {
    for (const release of [...this.hanging]) release();
    this.hanging.clear();
  }

  /** Objects load synchronously (before the promise settles); paths are read asynchronously. Same ids replace. */
  loadCassettes(source: CassetteSource): Promise<string[]> {
    const list = typeof source === 'string' || Array.isArray(source) ? (source as readonly unknown[] | string) : [source];
    if (typeof list === 'string' || list.every((x) => typeof x === 'string')) {
      return readCassettes(list as string | string[]).then((cs) => this.store.load(cs));
    }
    try {
      return Promise.resolve(this.store.load(list.map((c, i) => parseCassette(c, `cassettes[${i}]`))));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** Unloads every cassette and clears every fault (stats are kept). */
  clear(): void {
    this.store.clear();
    this.setFaults({});
  }

  resetStats(): void {
    this.stats = { ...emptyStats(), inFlight: this.stats.inFlight };
  }
}
