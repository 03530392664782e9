// A vitest reporter that prints the 20 slowest test files with where their time went: import
// (collect: loading the module graph and running suite callbacks), setup files, and the tests and hooks themselves.
// JSON reports carry only the last part, which on this suite hides most of the cost. `npm run test:slowest`.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

interface Row {
  file: string;
  project: string;
  total: number;
  collect: number;
  setup: number;
  tests: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;

export default class SlowestReporter implements Reporter {
  private readonly rows: Row[] = [];

  onTestModuleEnd(module: TestModule): void {
    const d = module.diagnostic();
    const total = d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration;
    this.rows.push({ file: relative(process.cwd(), module.moduleId), project: module.project.name, total, collect: d.collectDuration, setup: d.setupDuration, tests: d.duration });
  }

  onTestRunEnd(): void {
    const n = 20;
    const sum = this.rows.reduce((a, r) => a + r.total, 0);
    const top = [...this.rows].sort((a, b) => b.total - a.total).slice(0, n);
    const lines = [
      `\n${this.rows.length} test files, ${s(sum).trim()} summed over files (the run's wall time is less: files run in parallel). Slowest ${top.length}:`,
      `${'total'.padStart(8)} ${'import'.padStart(8)} ${'setup'.padStart(8)} ${'tests'.padStart(8)}  file`,
      ...top.map((r) => `${s(r.total)} ${s(r.collect)} ${s(r.setup)} ${s(r.tests)}  ${r.file}${r.project ? ` [${r.project}]` : ''}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
