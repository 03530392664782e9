// Preloaded into a service process by the memory-pressure drill (node --import): SIGUSR2 retains one more 64 MiB
// block of JS heap (bounded), SIGHUP lets them all go. Signals, because the service has no hook for it, by design.
//
// A block grows in 1 MiB steps, one per event-loop turn (about 4 ms each), as a leak grows: filled in one go, a block
// held the service's only thread for 200-400 ms, five blocks stalled it for seconds, and the drill measured that
// stall (p95 9 s during the fault on a busy machine) rather than whether the heap has headroom.
const STEP_DOUBLES = 128 * 1024;
const STEPS_PER_BLOCK = 64;
const MAX_BLOCKS = 16;
const blocks: number[][][] = [];

/** One step of `block`, then the next on the next turn; a block SIGHUP released stops growing. */
function grow(block: number[][]): void {
  if (!blocks.includes(block) || block.length >= STEPS_PER_BLOCK) return;
  block.push(new Array<number>(STEP_DOUBLES).fill(Math.random()));
  setImmediate(grow, block);
}

process.on('SIGUSR2', () => {
  if (blocks.length >= MAX_BLOCKS) return;
  const block: number[][] = [];
  blocks.push(block);
  grow(block);
});
process.on('SIGHUP', () => {
  blocks.length = 0;
});
