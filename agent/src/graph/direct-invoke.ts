import type { RunnableConfig } from '@langchain/core/runnables';
import { interopSafeParse, interopZodObjectMakeFieldsOptional, isInteropZodObject, type InteropZodObject } from '@langchain/core/utils/types';
import type { AgentGraph } from './builder.js';

type Invoke = (input: unknown, config: RunnableConfig) => Promise<unknown>;

/**
 * True when every middleware state is a zod object whose fields all have a default or are optional (private `_`
 * fields made optional, as langchain does): then the compiled graph's channels, built from the same schemas, already
 * read as those defaults on a thread that never wrote them.
 */
function channelsCarryDefaults(agent: AgentGraph): boolean {
  const middleware = (agent as unknown as { options: { middleware?: { stateSchema?: unknown }[] } }).options.middleware ?? [];
  return middleware.every(({ stateSchema }) => {
    if (stateSchema === undefined) return true;
    if (!isInteropZodObject(stateSchema)) return false;
    return interopSafeParse(interopZodObjectMakeFieldsOptional(stateSchema as InteropZodObject, (key) => key.startsWith('_')), {}).success;
  });
}

/**
 * createAgent's `invoke`, minus a per-call preamble that cost ~0.5 ms of CPU per run (a fifth of a plain answer's graph
 * work in a microbench): ReactAgent.invoke rebuilds every middleware's zod state schema, parses the input with it and
 * reads the whole thread back (`getState`: the checkpoint loaded and a snapshot built, before the graph loads it
 * again), only to write the middleware state defaults (`todos: []`) a thread does not have yet, which the graph's
 * channels, built from the same schemas, already give. The compiled graph is called with the config ReactAgent would
 * give it: its defaults (`ls_integration`, `ls_agent_type`) are bound to the compiled graph itself. When some
 * middleware state could not default that way (a StateSchema, a required field), every call goes through
 * ReactAgent.invoke as before.
 */
export function directInvoker(agent: AgentGraph): Invoke {
  if (!channelsCarryDefaults(agent)) return (input, config) => agent.invoke(input as never, config as never);
  const graph = agent.graph as unknown as { invoke: Invoke };
  return (input, config) => graph.invoke(input, config);
}
