import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import {
  CHAOS_GROUP,
  CHAOS_VERSION,
  DEFAULT_NAMESPACE,
  injectedConditionFor,
  isDnsLabel,
  loadExperiment,
  observeWindowMs,
  pluralFor,
  retarget,
  type ChaosResource,
} from './experiment.js';

export interface ObserveContext {
  /** metadata.name of the applied resource. */
  experiment: string;
  resource: ChaosResource;
  injectedAt: Date;
  /** How long the fault stays in; the runner deletes it when this has passed. */
  windowMs: number;
  /** Aborted when the window ends or the run is interrupted: stop measuring then. */
  signal: AbortSignal;
}

/**
 * The steady-state measurement, run while the fault is in; a rejection ends the experiment early (and still
 * cleans up).
 * @example const observe: Observe = async ({ signal }) => { while (!signal.aborted) await probeOnce(); };
 */
export type Observe = (context: ObserveContext) => Promise<void> | void;

export type RunEventType =
  | 'applied'
  | 'waiting'
  | 'injected'
  | 'observed'
  | 'deleted'
  | 'recovered'
  | 'signal'
  | 'error';

export interface RunEvent {
  at: string;
  type: RunEventType;
  message: string;
}

export type RunOutcome = 'completed' | 'injection-timeout' | 'observe-failed' | 'api-error' | 'interrupted';

export interface ExperimentReport {
  experiment: string;
  kind: string;
  namespace: string;
  file: string;
  /** The local drill this experiment mirrors (label luminamind.dev/drill), when it names one. */
  drill: string | null;
  outcome: RunOutcome;
  injectedAt: string | null;
  recoveredAt: string | null;
  /** True when nothing this run created is left in the cluster. */
  cleanedUp: boolean;
  error?: string;
  events: RunEvent[];
}

export const RunExperimentOptionsSchema = z.object({
  /** A kubeconfig file; without it the client's default lookup ($KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig: z.string().min(1).optional(),
  /** Where to apply; defaults to the file's namespace. Selectors naming the file's namespace move along. */
  namespace: z.string().refine(isDnsLabel, 'must be a lowercase RFC 1123 label').optional(),
  observe: z.custom<Observe>((value) => typeof value === 'function', 'observe must be a function').optional(),
  /** How long to wait for the injected condition before giving up (and deleting). */
  timeoutMs: z.number().int().positive().default(120_000),
  pollIntervalMs: z.number().int().positive().default(2_000),
  /** Overrides the observation window taken from spec.duration or the observe-for annotation. */
  windowMs: z.number().int().nonnegative().optional(),
  /** How long to wait, after the delete, for the controller to recover the fault and drop the object. */
  recoveryTimeoutMs: z.number().int().nonnegative().default(60_000),
  /** Bound on each API call, so a hung API server cannot hold the fault in forever. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Last edit before applying, e.g. pointing the Redis pod-kill at the current master. */
  prepare: z
    .custom<(resource: ChaosResource) => ChaosResource>((value) => typeof value === 'function')
    .optional(),
  /** Delete on SIGINT/SIGTERM, then let the signal end the process. Off only for embedding callers. */
  handleSignals: z.boolean().default(true),
  onEvent: z.custom<(event: RunEvent) => void>((value) => typeof value === 'function').optional(),
});
export type RunExperimentOptions = z.input<typeof RunExperimentOptionsSchema>;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15 };

class InjectionTimeout extends Error {}
class ObserveFailed extends Error {}
class Interrupted extends Error {}
class RequestTimeout extends Error {}

interface Condition {
  type?: unknown;
  status?: unknown;
}

function conditionIsTrue(object: unknown, type: string): boolean {
  const conditions = (object as { status?: { conditions?: Condition[] } } | null)?.status?.conditions;
  return Array.isArray(conditions) && conditions.some((c) => c.type === type && c.status === 'True');
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

function describe(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
    return `HTTP ${error.code}: ${body.slice(0, 500)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const guard = new AbortController();
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: guard.signal }).then(() => {
        throw new RequestTimeout(`${what} got no answer within ${ms} ms`);
      }),
    ]);
  } finally {
    guard.abort();
  }
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const config = new KubeConfig();
  if (path) config.loadFromFile(path);
  else config.loadFromDefault();
  return config;
}

/**
 * Applies one Chaos Mesh experiment, waits until it is injected, observes for its window, deletes it and
 * waits for recovery. Whatever happens (an error, a timeout, Ctrl-C) what it applied is deleted.
 * Returns the report; throws only when the file or the options are unusable.
 */
export async function runExperiment(file: string, options: RunExperimentOptions = {}): Promise<ExperimentReport> {
  const opts = RunExperimentOptionsSchema.parse(options);
  const loaded = await loadExperiment(file);
  const namespace = opts.namespace ?? loaded.metadata.namespace ?? DEFAULT_NAMESPACE;
  const retargeted = retarget(loaded, namespace);
  const resource = opts.prepare ? opts.prepare(retargeted) : retargeted;
  const api = loadKubeConfig(opts.kubeconfig).makeApiClient(CustomObjectsApi);
  const ref = {
    group: CHAOS_GROUP,
    version: CHAOS_VERSION,
    namespace,
    plural: pluralFor(resource.kind),
    name: resource.metadata.name,
  };

  const report: ExperimentReport = {
    experiment: ref.name,
    kind: resource.kind,
    namespace,
    file,
    drill: resource.metadata.labels?.['luminamind.dev/drill'] ?? null,
    outcome: 'completed',
    injectedAt: null,
    recoveredAt: null,
    cleanedUp: true,
    events: [],
  };
  const record = (type: RunEventType, message: string): void => {
    const event = { at: new Date().toISOString(), type, message };
    report.events.push(event);
    opts.onEvent?.(event);
  };
  const call = <T>(promise: Promise<T>, what: string): Promise<T> => bounded(promise, opts.requestTimeoutMs, what);

  let applied = false;
  let deletion: Promise<boolean> | undefined;
  // One delete however many paths ask for it (finally, a signal, a second Ctrl-C).
  const cleanUp = (): Promise<boolean> => {
    deletion ??= (async () => {
      if (!applied) return true;
      try {
        await call(api.deleteNamespacedCustomObject(ref), `DELETE ${ref.plural}/${ref.name}`);
        record('deleted', `deleted ${ref.plural}/${ref.name}`);
        return true;
      } catch (error) {
        if (isNotFound(error)) {
          record('deleted', `${ref.plural}/${ref.name} was already gone`);
          return true;
        }
        record('error', `delete failed, remove it by hand (kubectl -n ${namespace} delete ${ref.plural} ${ref.name}): ${describe(error)}`);
        return false;
      }
    })();
    return deletion;
  };

  const interrupt = new AbortController();
  const onSignal = (signal: (typeof SIGNALS)[number]): void => {
    record('signal', `${signal}: deleting ${ref.plural}/${ref.name} before exiting`);
    interrupt.abort(new Interrupted(signal));
    void cleanUp().finally(() => {
      removeSignalHandlers();
      // Re-raise so the process ends the way the signal meant; someone else listening decides for themselves.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      else process.exit(128 + SIGNAL_NUMBERS[signal]);
    });
  };
  const handlers = new Map(SIGNALS.map((signal) => [signal, () => onSignal(signal)]));
  const removeSignalHandlers = (): void => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
  if (opts.handleSignals) for (const [signal, handler] of handlers) process.on(signal, handler);

  const pause = (ms: number, signal: AbortSignal = interrupt.signal): Promise<void> =>
    sleep(ms, undefined, { signal }).catch((error: unknown) => {
      throw signal.reason instanceof Error ? signal.reason : error;
    });

  try {
    try {
      // Applied counts from the moment the request leaves: a create that times out may still have landed.
      applied = true;
      await call(
        api.createNamespacedCustomObject({ ...ref, body: resource, fieldValidation: 'Strict' }),
        `POST ${ref.plural}`,
      );
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) {
        applied = false;
        throw new Error(
          `${ref.plural}/${ref.name} already exists in ${namespace}: a run did not finish cleaning up; ` +
            `check it and delete it (kubectl -n ${namespace} delete ${ref.plural} ${ref.name})`,
        );
      }
      // Only an unanswered or server-failed create may have landed; refusals and unreachable APIs did not.
      const mayHaveLanded = error instanceof RequestTimeout || (error instanceof ApiException && error.code >= 500);
      if (!mayHaveLanded) applied = false;
      throw error;
    }
    record('applied', `created ${ref.plural}/${ref.name} in ${namespace}`);

    const condition = injectedConditionFor(resource.kind);
    const deadline = Date.now() + opts.timeoutMs;
    record('waiting', `waiting up to ${opts.timeoutMs} ms for ${condition}=True`);
    for (;;) {
      const current: unknown = await call(api.getNamespacedCustomObject(ref), `GET ${ref.plural}/${ref.name}`);
      if (conditionIsTrue(current, condition)) break;
      if (Date.now() >= deadline) throw new InjectionTimeout(`${condition} not True after ${opts.timeoutMs} ms`);
      await pause(Math.min(opts.pollIntervalMs, Math.max(1, deadline - Date.now())));
    }
    const injectedAt = new Date();
    report.injectedAt = injectedAt.toISOString();
    record('injected', `${condition}=True`);

    const windowMs = opts.windowMs ?? observeWindowMs(resource);
    const window = new AbortController();
    let windowOver = false;
    const stopWindow = (): void => window.abort(interrupt.signal.reason ?? new Error('window over'));
    interrupt.signal.addEventListener('abort', stopWindow, { once: true });
    const observing = Promise.resolve()
      .then(() => opts.observe?.({ experiment: ref.name, resource, injectedAt, windowMs, signal: window.signal }))
      .catch((error: unknown) => {
        if (interrupt.signal.aborted) throw interrupt.signal.reason;
        // An observer that throws on the abort we sent at the window's end has simply finished.
        if (windowOver) return;
        throw new ObserveFailed(describe(error));
      });
    const windowEnd = (async () => {
      if (resource.kind !== 'Workflow') {
        await pause(windowMs, window.signal);
      } else {
        // A Workflow ends by itself: stop watching when it is Accomplished or its window is over.
        const until = Date.now() + windowMs;
        while (Date.now() < until) {
          const current: unknown = await call(api.getNamespacedCustomObject(ref), `GET ${ref.plural}/${ref.name}`);
          if (conditionIsTrue(current, 'Accomplished')) break;
          await pause(Math.min(opts.pollIntervalMs, Math.max(1, until - Date.now())), window.signal);
        }
      }
      windowOver = true;
      stopWindow();
    })();
    try {
      await Promise.all([observing, windowEnd]);
    } finally {
      stopWindow();
      interrupt.signal.removeEventListener('abort', stopWindow);
    }
    record('observed', `observed for ${windowMs} ms`);
  } catch (error) {
    const reason = interrupt.signal.aborted ? interrupt.signal.reason : error;
    report.outcome =
      reason instanceof Interrupted
        ? 'interrupted'
        : reason instanceof InjectionTimeout
          ? 'injection-timeout'
          : reason instanceof ObserveFailed
            ? 'observe-failed'
            : 'api-error';
    report.error = describe(reason);
    record('error', report.error);
  } finally {
    report.cleanedUp = await cleanUp();
    if (!interrupt.signal.aborted) removeSignalHandlers();
  }

  if (applied && report.cleanedUp && !interrupt.signal.aborted) {
    report.recoveredAt = await waitUntilGone();
  }
  return report;

  async function waitUntilGone(): Promise<string | null> {
    const until = Date.now() + opts.recoveryTimeoutMs;
    for (;;) {
      try {
        await call(api.getNamespacedCustomObject(ref), `GET ${ref.plural}/${ref.name}`);
      } catch (error) {
        if (isNotFound(error)) {
          const at = new Date().toISOString();
          record('recovered', `${ref.plural}/${ref.name} recovered and removed by the controller`);
          return at;
        }
        record('error', `checking recovery: ${describe(error)}`);
        return null;
      }
      if (Date.now() >= until) {
        record('error', `still present ${opts.recoveryTimeoutMs} ms after the delete (finalizers pending?)`);
        return null;
      }
      await sleep(Math.min(opts.pollIntervalMs, Math.max(1, until - Date.now())));
    }
  }
}
