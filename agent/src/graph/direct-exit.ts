import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { END, StateGraph } from '@langchain/langgraph';

/** createAgent's node names: the model call, and the suffix of a middleware's after-model and after-agent nodes. */
const MODEL_NODE = 'model_request';
const AFTER_MODEL = '.after_model';
const AFTER_AGENT = '.after_agent';

type Graph = { nodes: Record<string, unknown>; edges: Set<[string, string]>; addConditionalEdges: (...args: unknown[]) => unknown };

/** An answer that calls no tool: the after-model hooks of this agent have nothing to do with it. */
const answersWithoutTools = (messages: readonly BaseMessage[]): boolean => {
  const last = messages.at(-1);
  return AIMessage.isInstance(last) && !last.tool_calls?.length;
};

/**
 * Rewires a createAgent graph before it compiles: the model node's edge to the after-model node becomes a branch that
 * goes straight to the end when the answer calls no tool. createAgent sends every answer through the after-model node,
 * a superstep of its own (task preparation, config merges, a state re-emit), though for an answer without tool calls
 * the after-model router goes to the end whatever the hooks did, and this agent's hooks do nothing with such an answer
 * (the todo list's check of parallel write_todos calls, and the approval: both look at the answer's tool calls first;
 * direct-exit.test.ts holds them to it). An answer that calls tools takes the node as before, so approval interrupts
 * and resumes are unchanged; the edge writes the same `branch:to:` channel, so saved threads resume. A graph with an
 * after-agent node (the exit is not the end) is left as it is.
 */
function addDirectExit(graph: Graph): void {
  if (Object.keys(graph.nodes).some((name) => name.endsWith(AFTER_AGENT))) return;
  const edge = [...graph.edges].find(([from, to]) => from === MODEL_NODE && to.endsWith(AFTER_MODEL));
  if (!edge) return;
  graph.edges.delete(edge);
  const afterModel = edge[1];
  graph.addConditionalEdges(MODEL_NODE, (state: { messages: BaseMessage[] }) => (answersWithoutTools(state.messages) ? END : afterModel), [afterModel, END]);
}

/**
 * Builds with every StateGraph compiled during `build` given a direct exit (addDirectExit): createAgent compiles its
 * graph inside its constructor, so the edge can only be changed on the way into compile(). Synchronous, and the
 * prototype is restored before it returns.
 *
 * @example
 *   const agent = withDirectExit(() => createAgent({ model, tools, middleware }));
 */
export function withDirectExit<T>(build: () => T): T {
  const prototype = StateGraph.prototype as unknown as { compile: (...args: unknown[]) => unknown };
  const compile = prototype.compile;
  prototype.compile = function (this: Graph, ...args: unknown[]) {
    addDirectExit(this);
    return compile.apply(this, args);
  };
  try {
    return build();
  } finally {
    prototype.compile = compile;
  }
}
