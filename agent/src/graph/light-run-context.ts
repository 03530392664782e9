import { CallbackManager } from '@langchain/core/callbacks/manager';
import type { RunnableConfig } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton, _CONTEXT_VARIABLES_KEY } from '@langchain/core/singletons';

// The key under which @langchain/core keeps a runnable's config in the async context (getRunnableConfig reads it).
const LC_CHILD_KEY = Symbol.for('lc:child_config');

type RunWithConfig = typeof AsyncLocalStorageProviderSingleton.runWithConfig;
type Store = { extra?: Record<symbol, unknown>; [_CONTEXT_VARIABLES_KEY]?: unknown };

let original: RunWithConfig | undefined;

/**
 * Every runnable LangGraph and langchain invoke (each node, channel write and router of every superstep) goes
 * through @langchain/core's `runWithConfig`, which, when no LangSmith tracer is attached, still builds a langsmith
 * `RunTree` with tracing disabled only to carry the config in the async context: a uuid7 from crypto, a timestamp
 * string and a dozen environment lookups each time, ~10 % of the service's CPU per request in a profile. This
 * replaces that one object with a plain one holding the same two things (the config under core's key, the context
 * variables); `getRunnableConfig` and `getContextVariable` read them as before. Whenever a tracer is attached
 * (LANGSMITH_TRACING on, or a tracer in the callbacks) the original runs unchanged, so traces are the same.
 * What differs with tracing off: `getCurrentRunTree()` inside a runnable finds no run tree (it found one that
 * traced nothing), and core's `setContextVariable` would not carry the config forward (nothing in this service
 * calls it). Idempotent.
 */
export function installLightRunContext(): void {
  if (original) return;
  const provider = AsyncLocalStorageProviderSingleton;
  const shipped: RunWithConfig = provider.runWithConfig.bind(provider);
  original = shipped;
  provider.runWithConfig = function runWithConfig(config: RunnableConfig, callback: () => unknown, avoidCreatingRootRunTree?: boolean) {
    // The same tracer detection as the original (env, callbacks, context hooks): only its no-tracer branch changes.
    const manager = CallbackManager._configureSync(config?.callbacks, undefined, config?.tags, undefined, config?.metadata);
    if (manager?.handlers.some((h) => h?.name === 'langchain_tracer')) {
      return shipped(config, callback as never, avoidCreatingRootRunTree);
    }
    const storage = provider.getInstance();
    const previous = storage.getStore() as Store | undefined;
    let store: Store | undefined = avoidCreatingRootRunTree ? undefined : { extra: { [LC_CHILD_KEY]: config } };
    if (previous !== undefined && previous[_CONTEXT_VARIABLES_KEY] !== undefined) {
      store ??= {};
      store[_CONTEXT_VARIABLES_KEY] = previous[_CONTEXT_VARIABLES_KEY];
    }
    return storage.run(store, callback);
  } as RunWithConfig;
}

/** Puts @langchain/core's own `runWithConfig` back (for the test's twin; the next agent build installs it again). */
export function uninstallLightRunContext(): void {
  if (!original) return;
  AsyncLocalStorageProviderSingleton.runWithConfig = original;
  original = undefined;
}
