// The agent's contract without the agent: the shapes of a run and of the HTTP API, and the grounding check. Pure
// code over zod, no LangChain, LangGraph or fastify, so what only needs the contract (the eval graders, and through
// them `luminamind --help` and `chaos --help`) starts in a fraction of the time the whole agent takes to load.
// agent/src/index.ts re-exports all of it; import this module where the agent itself is not needed.
export * from './run.js';
export * from './http.js';
export { checkGrounding, evidenceText, type GroundingResult, type GroundingOptions, type Claim, type ClaimKind } from './grounding.js';
