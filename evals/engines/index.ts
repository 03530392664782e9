import type { Engine, EngineId } from '../types.js';
import { plainEngine } from './plain.js';
import { promptfooEngine } from './promptfoo.js';

/** Every engine, by id: a missing entry fails the build; engines.int.test.ts runs one suite over each. */
export const engines = {
  promptfoo: promptfooEngine,
  plain: plainEngine,
} satisfies Record<EngineId, Engine>;
