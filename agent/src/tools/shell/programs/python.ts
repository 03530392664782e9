import { inside, plain, refuse, unknownOption, type PolicyCtx, type ProgramPolicy } from '../grammar.js';
import { PYTEST_ENV, vetPytestArgs } from './pytest.js';

const PYTHON_FLAGS = new Set([...'BbdEIOPqsSuvV'].map((l) => `-${l}`));
const PYTHON_REFUSED: Readonly<Record<string, string>> = {
  c: 'runs code given on the command line; write a script in the workspace and run that',
  m: "runs a module from anywhere on sys.path (only 'python -m pytest' is allowed)",
  W: 'warning filters import the named categories',
  X: 'implementation options include paths (pycache_prefix) and import hooks',
  i: 'starts an interactive interpreter, which needs a terminal',
};

// No user site-packages: a usercustomize.py planted under any HOME never runs.
const PYTHON_ENV = { PYTHONNOUSERSITE: '1' };

/** A script argument is the script's business, but a literal path in it must still not leave the workspace. */
async function vetScriptArgs(p: PolicyCtx, args: readonly string[]): Promise<void> {
  for (const a of args) {
    if (a === '--') continue;
    const value = a.startsWith('-') ? (a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined) : a;
    if (value !== undefined) await inside(p, value, 'script argument');
  }
}

/** python: a script inside the workspace (or -m pytest); it runs workspace code, so it needs the OS sandbox. */
export const python: ProgramPolicy = {
  runsWorkspaceCode: true,
  async vet(p, args) {
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--version' || a === '--help' || a === '-h') return plain(p, args.slice(0, i + 1), PYTHON_ENV);
      if (a === '-m' && args[i + 1] === 'pytest') {
        const rest = await vetPytestArgs(p, args.slice(i + 2));
        return { program: p.program, args: [...args.slice(0, i + 2), ...rest], env: PYTEST_ENV };
      }
      if (a === '-') refuse('option', 'python - reads a program from stdin; write a script in the workspace and run that');
      if (!a.startsWith('-')) break;
      for (const letter of a.slice(1)) {
        if (PYTHON_REFUSED[letter]) refuse('option', `python -${letter} ${PYTHON_REFUSED[letter]}`);
        if (!PYTHON_FLAGS.has(`-${letter}`)) unknownOption('python', `-${letter}`);
      }
    }
    const script = args[i];
    if (script === undefined) refuse('usage', 'python needs a script path inside the workspace (an interactive interpreter is not supported)');
    await inside(p, script!, 'script');
    await vetScriptArgs(p, args.slice(i + 1));
    return plain(p, args, PYTHON_ENV);
  },
};
