import type { Reporter, TestModule, TestSpecification } from 'vitest/node';

/**
 * A vitest reporter for the gate's test stage: one `##progress <done>/<total> test files` line per finished file (the gate
 * turns them into a counted status line with an estimate, gates/progress.ts), and each failed test by name at the end.
 * Replaces the dot reporter, whose thousands of dots said neither how far nor how long.
 */
export default class GateProgressReporter implements Reporter {
  private total = 0;
  private done = 0;

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.total = specifications.length;
    process.stdout.write(`##progress 0/${this.total} test files\n`);
  }

  onTestModuleEnd(module: TestModule): void {
    this.done++;
    process.stdout.write(`##progress ${this.done}/${this.total} test files\n`);
    if (module.state() === 'failed') {
      const failed = [...module.children.allTests('failed')].map((t) => t.fullName);
      process.stdout.write(`FAIL ${module.moduleId}${failed.length ? `: ${failed.join('; ')}` : ' (the file failed to run)'}\n`);
    }
  }
}
