import { ESLint } from 'eslint';

// The import table of docs/ARCHITECTURE.md is enforced by eslint.boundaries.js. Each row is proved both
// ways: a forbidden import is reported (the rule can fail) and the allowed one beside it is not.
const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, source: string): Promise<boolean> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax');
}

const ROWS: Array<[file: string, source: string, forbidden: boolean]> = [
  ['agent/src/graph/x.ts', "import { startSimulator } from '../../../evals/sim/index.js';", true],
  ['agent/src/graph/x.test.ts', "import { startSimulator } from '../../../evals/sim/index.js';", false],
  ['agent/src/graph/x.test.ts', "import { runEval } from '../../../evals/runner.js';", true],
  ['agent/src/store/x.int.test.ts', "import { startRedis } from '../../../load/redis-server.js';", false],
  ['agent/src/store/x.ts', "import { startRedis } from '../../../load/redis-server.js';", true],
  ['agent/src/store/x.int.test.ts', "import { startServiceProcess } from '../../../load/service-process.js';", true],
  ['agent/src/graph/x.ts', "const m = await import('../../../gates/decide.js');", true],
  ['agent/src/graph/x.ts', "import { Serializable } from '@langchain/core/load/serializable';", false],
  ['evals/runner2.ts', "import { buildAgent } from '../agent/src/index.js';", false],
  ['evals/runner2.ts', "import { loadConfig } from '../agent/src/config.js';", true],
  ['evals/graders/x.ts', "import { checkGrounding } from '../../agent/src/contract/index.js';", false],
  ['evals/graders/x.ts', "import { checkGrounding } from '../../agent/src/contract/grounding.js';", true],
  ['gates/x.ts', "import { checkGrounding } from '../agent/src/contract/index.js';", true],
  ['evals/graders/x.ts', "import { x } from '../../load/index.js';", true],
  ['evals/graders/x.ts', "import { main } from '../../bin/cli.js';", true],
  ['evals/graders/x.test.ts', "import { main } from '../../bin/cli.js';", true],
  ['gates/x.int.test.ts', "import { runCliInProcess } from '../bin/run-cli.test-support.js';", false],
  ['gates/x.ts', "import { runCliInProcess } from '../bin/run-cli.test-support.js';", true],
  ['load/x.ts', "import { readReport } from '../evals/report/index.js';", false],
  ['load/x.ts', "import { summariseEval } from '../evals/report/eval.js';", true],
  ['load/x.ts', "import { runDrill } from '../chaos/drills/index.js';", true],
  ['chaos/drills/x.ts', "import { SCENARIOS } from '../../load/index.js';", false],
  ['chaos/drills/x.ts', "import { SCENARIOS } from '../../load/scenarios.js';", true],
  ['gates/checks/x.ts', "import { readReport } from '../../evals/report/index.js';", false],
  ['gates/checks/x.ts', "import { startSimulator } from '../../evals/sim/index.js';", true],
  ['gates/x.ts', "import { loadConfig } from '../agent/src/index.js';", true],
  ['gates/x.ts', "import { x } from '../load/index.js';", true],
  ['bin/x.ts', "import { decide } from '../gates/decide.js';", false],
];

describe('import boundaries are lint rules', () => {
  it.each(ROWS)('%s: %s → forbidden=%s', async (file, source, forbidden) => {
    expect(await restricted(file, source)).toBe(forbidden);
  });
});
