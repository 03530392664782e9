import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { RunnableLambda } from '@langchain/core/runnables';
import { getContextVariable, setContextVariable } from '@langchain/core/context';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { isRunTree } from 'langsmith/run_trees';
import { describe, expect, it } from 'vitest';
import { installLightRunContext, uninstallLightRunContext } from './light-run-context.js';

describe('installLightRunContext', () => {
  it('keeps the runnable config and context variables readable inside nested runnables, without a RunTree per invoke', async () => {
    const seen: unknown[] = [];
    const inner = RunnableLambda.from(async () => {
      const store = AsyncLocalStorageProviderSingleton.getInstance().getStore();
      seen.push(isRunTree(store), AsyncLocalStorageProviderSingleton.getRunnableConfig()?.metadata?.who, getContextVariable('tenant'));
      return 'ok';
    });
    const outer = RunnableLambda.from(async (x: string, config) => inner.invoke(x, config));
    const run = () =>
      RunnableLambda.from(async () => {
        setContextVariable('tenant', 't1');
        return outer.invoke('x', { metadata: { who: 'caller' } });
      }).invoke('x');
    // The twin: @langchain/core as shipped builds a (non-tracing) RunTree for the same invoke. Another test file in
    // this worker may have built an agent (which installs the light context), so the shipped one is put back first.
    uninstallLightRunContext();
    await run();
    expect(seen.splice(0)).toEqual([true, 'caller', 't1']);
    installLightRunContext();
    await run();
    expect(seen).toEqual([false, 'caller', 't1']);
  });

  it('leaves runs with a LangSmith tracer attached to the original path (the tracer supplies the run tree)', async () => {
    installLightRunContext();
    // Stands in for LangChainTracer: same name, hands out the run tree core asks it for.
    class Tracer extends BaseCallbackHandler {
      name = 'langchain_tracer';
      getRunTreeWithTracingConfig(id: string) {
        return { fromTracer: id };
      }
    }
    let store: unknown;
    const inner = RunnableLambda.from(async () => {
      store = AsyncLocalStorageProviderSingleton.getInstance().getStore();
      return 'ok';
    });
    await RunnableLambda.from(async (x: string, config) => inner.invoke(x, config)).invoke('x', { callbacks: [new Tracer()] });
    expect(store).toMatchObject({ fromTracer: expect.any(String) });
  });
});
