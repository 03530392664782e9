import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';

// Interim gate until the release gate (issue 5) lands: it runs the only evidence that exists, the test
// suite, and says so. It never claims a promotion decision it cannot make.
export function registerGateCommand(program: Command): void {
  program
    .command('gate')
    .description('Release gate (interim): runs the test suite, the only stage that exists yet, and reports its result.')
    .option('--policy <name>', 'pr | release (accepted; policies arrive with the release gate)', 'pr')
    .action(() => {
      process.stderr.write('luminamind gate: the release gate is not built yet; running the test suite only (no promotion decision).\n');
      const run = spawnSync('npx', ['vitest', 'run'], { stdio: 'inherit' });
      process.exitCode = run.status === 0 ? 0 : 1;
    });
}
