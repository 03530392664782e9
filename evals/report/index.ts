// The report package: every report kind's schema, a result's identity and every derived measure. Producers (eval,
// load, chaos, coverage, security) and the gate import this file and nothing else under evals/report/.
export * from './envelope.js';
export * from './errors.js';
export * from './identity.js';
export * from './stats.js';
export * from './eval.js';
export * from './load.js';
export * from './chaos.js';
export * from './coverage.js';
export * from './security.js';
export * from './integrity.js';
export * from './merge.js';
export * from './shard.js';
export { registerReportCommand } from './cli.js';
