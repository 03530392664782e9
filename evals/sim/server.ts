import { type FaultsInput } from './faults.js';
import { type RecordOptions, createRecordingProxy } from './proxy.js';
import { buildSimApp } from './routes.js';
import { type CassetteSource, type SimStats, SimState } from './state.js';
import type { Faults } from './faults.js';
import type { CassetteSummary } from './store.js';

export type { RecordOptions } from './proxy.js';
export type { CassetteSource, SimStats } from './state.js';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Cassette objects, scripts, or file/directory paths. */
  cassettes?: CassetteSource;
  faults?: FaultsInput;
  record?: RecordOptions;
}

export interface Simulator {
  /** Base URL for OpenAI clients, ending in /v1. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Replaces all faults (setFaults({}) clears them) and lifts a hang unless the new faults hang too. */
  setFaults(faults: FaultsInput): void;
  faults(): Faults;
  /** Objects load synchronously (before the promise settles); paths are read asynchronously. Same ids replace. */
  loadCassettes(source: CassetteSource): Promise<string[]>;
  cassettes(): CassetteSummary[];
  /** Unloads every cassette and clears every fault (stats are kept; see resetStats). */
  clear(): void;
  stats(): SimStats;
  resetStats(): void;
  close(): Promise<void>;
}

/**
 * Starts the OpenAI-compatible model simulator on 127.0.0.1 (port 0 = a free port): the state (state.ts), the
 * recording proxy when asked (proxy.ts), the fastify routes (routes.ts, admin-routes.ts) writing answers through
 * stream.ts.
 *
 * @example
 *   const sim = await startSimulator({ cassettes: 'datasets/cassettes' });
 *   const client = new OpenAI({ baseURL: sim.url, apiKey: 'sim' });
 *   await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new SimState(options.faults);
  const proxy = options.record
    ? createRecordingProxy(options.record, () => {
        state.stats.recorded += 1;
      })
    : undefined;
  if (options.cassettes !== undefined) await state.loadCassettes(options.cassettes);
  const app = buildSimApp(state, proxy);
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    host,
    setFaults: (faults) => state.setFaults(faults),
    faults: () => state.faults,
    loadCassettes: (source) => state.loadCassettes(source),
    cassettes: () => state.store.list(),
    clear: () => state.clear(),
    stats: () => structuredClone(state.stats),
    resetStats: () => state.resetStats(),
    close: async () => {
      if (state.closed) return;
      state.closed = true;
      state.releaseHangs();
      await proxy?.flushed();
      await app.close();
    },
  };
}
