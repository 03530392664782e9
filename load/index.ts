// load's public face: chaos and the harness import load only through this module.
export { LOAD_CASSETTES, SCENARIOS } from './scenarios.js';
export { reapOnExit } from './reap-on-exit.js';
export { freeLoopbackPort, startServiceProcess, type ServiceEntry, type ServiceProcess } from './service-process.js';
export { bundleServiceToTemp, type TempServiceBundle } from './service-bundle.js';
export { pingRedis, startRedis, startSentinel, type RedisServer, type RedisServerOptions } from './redis-server.js';
