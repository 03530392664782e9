// A vitest reporter that prints the 20 slowest test files with where their time went: import
// (collect: loading the module graph and running suite callbacks), setup files, and the tests and hooks themselves.
// JSON reports carry only the last part, which on this suite hides most of the cost. With .ci/file-cpu.setup.ts among
// the setup files it adds each file's CPU (its test process and the processes it started): on a shared machine wall
// time measures the load, CPU measures the file. `npm run test:slowest`. After a whole run it also rewrites
// vitest.durations.json (every file's seconds), from which vitest.sequencer.ts starts the longest files first.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

interface Row {
  file: string;
  project: string;
  total: number;
  collect: number;
  setup: number;
  tests: number;
  /** CPU seconds (test process, started processes), when .ci/file-cpu.setup.ts recorded them. */
  cpu?: { own: number; children: number };
}

/** Fewer files than this is a filtered run, not the whole suite. */
const WHOLE_SUITE_FILES = 150;

const s = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;
const cpuOf = (r: Row) => (r.cpu ? r.cpu.own + r.cpu.children : 0);

export default class SlowestReporter implements Reporter {
  private readonly rows: Row[] = [];

  onTestModuleEnd(module: TestModule): void {
    const d = module.diagnostic();
    const total = d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration;
    this.rows.push({ file: relative(process.cwd(), module.moduleId), project: module.project.name, total, collect: d.collectDuration, setup: d.setupDuration, tests: d.duration, cpu: module.meta().cpu });
  }

  onTestRunEnd(): void {
    const n = 20;
    const sum = this.rows.reduce((a, r) => a + r.total, 0);
    const top = [...this.rows].sort((a, b) => b.total - a.total).slice(0, n);
    const cpu = this.rows.some((r) => r.cpu);
    const cpuSum = this.rows.reduce((a, r) => a + cpuOf(r), 0);
    const byCpu = [...this.rows].sort((a, b) => cpuOf(b) - cpuOf(a)).slice(0, n);
    const cells = (r: Row) => (cpu ? ` ${s(cpuOf(r) * 1000)} ${s((r.cpu?.children ?? 0) * 1000)}` : '');
    const row = (r: Row) => `${s(r.total)} ${s(r.collect)} ${s(r.setup)} ${s(r.tests)}${cells(r)}  ${r.file}${r.project ? ` [${r.project}]` : ''}`;
    const header = `${'total'.padStart(8)} ${'import'.padStart(8)} ${'setup'.padStart(8)} ${'tests'.padStart(8)}${cpu ? ` ${'cpu'.padStart(8)} ${'spawned'.padStart(8)}` : ''}  file`;
    const lines = [
      `\n${this.rows.length} test files, ${s(sum).trim()} summed over files (the run's wall time is less: files run in parallel)${cpu ? `, ${s(cpuSum * 1000).trim()} CPU (spawned: CPU of the processes a file started)` : ''}. Slowest ${top.length}:`,
      header,
      ...top.map(row),
      ...(cpu ? [`\nMost CPU ${byCpu.length}:`, header, ...byCpu.map(row)] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    // Only a run of the whole suite knows every file's time (a filtered run would drop the others' estimates).
    if (this.rows.length >= WHOLE_SUITE_FILES) {
      const seconds = Object.fromEntries(this.rows.map((r) => [r.file, Math.round(r.total / 100) / 10]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
      writeFileSync('vitest.durations.json', `${JSON.stringify(seconds, null, 1)}\n`);
      process.stdout.write(`vitest.durations.json: ${this.rows.length} files' durations written (the sequencer starts the longest first)\n`);
    }
  }
}
