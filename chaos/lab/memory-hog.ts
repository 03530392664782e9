// Preloaded into a service process by the memory-pressure drill (node --import): SIGUSR2 retains one more 64 MiB
// block of JS heap (bounded), SIGHUP lets them all go. Signals, because the service has no hook for it, by design.
const BLOCK_DOUBLES = 8 * 1024 * 1024;
const MAX_BLOCKS = 16;
const blocks: number[][] = [];

process.on('SIGUSR2', () => {
  if (blocks.length < MAX_BLOCKS) blocks.push(new Array<number>(BLOCK_DOUBLES).fill(Math.random()));
});
process.on('SIGHUP', () => {
  blocks.length = 0;
});
