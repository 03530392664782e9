export { startSimulator } from './server.js';
export type { CassetteSource, RecordOptions, SimStats, Simulator, SimulatorOptions } from './server.js';
export {
  CassetteSchema,
  ScriptSchema,
  ThreadSchema,
  ToolCallSpecSchema,
  TurnSchema,
  loadCassettes,
  parseCassette,
  scriptToCassette,
  writeCassetteFile,
} from './cassette.js';
export type { Cassette, CassetteInput, Script, ScriptInput, Thread, ToolCallSpec, Turn } from './cassette.js';
export { FaultsSchema, seededRandom } from './faults.js';
export type { Faults, FaultsInput } from './faults.js';
export { conversationKey, conversationOf, identityOf, normaliseText } from './keying.js';
export type { Conversation, WireMessage } from './keying.js';
export { createRecorder } from './recorder.js';
export type { RecordedMessage, Recorder } from './recorder.js';
export { CassetteStore } from './store.js';
export type { CassetteSummary } from './store.js';
export { SimBadRequestError, SimCassetteInvalidError, SimFaultInjectedError, SimNoCassetteError, SimUpstreamFailedError } from './errors.js';
