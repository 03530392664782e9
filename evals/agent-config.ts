// The agent's configuration functions the eval commands need, in a module of their own: the commands import it
// when they run (the agent's public index loads LangChain), so `luminamind eval --help` stays light.
export { loadConfig, redactConfig } from '../agent/src/index.js';
