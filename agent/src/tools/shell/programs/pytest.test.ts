import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeVetTable } from './vet-table.test-support.js';

// Config files are vetted like the command line: each folder holds one, and a row runs pytest on that folder.
describeVetTable(
  'pytest',
  [
    ['pytest -q -k smoke src', 'ok'],
    ['pytest -x src::test_x', 'ok'],
    ['pytest ok-ini', 'ok'],
    ['pytest ok-toml', 'ok'],
    ['pytest /tmp', 'path_outside'],
    ['pytest --basetemp=../x', 'option'],
    ['pytest -p evil', 'option'],
    ['pytest -c other.ini', 'option'],
    ['pytest -o cache_dir=/tmp', 'option'],
    ['pytest --rootdir=/', 'option'],
    ['pytest --zzz', 'unknown_option'],
    ['pytest ini-basetemp', 'option'],
    ['pytest toml-plugin', 'option'],
    ['pytest cfg-testpaths', 'path_outside'],
    ['pytest tox-logfile', 'path_outside'],
    ['pytest ini-broken', 'pytest_config'],
    ['pytest toml-broken', 'pytest_config'],
  ],
  async (ws) => {
    const configs: Record<string, [string, string]> = {
      'ok-ini': ['pytest.ini', '[pytest]\naddopts = -q --strict-markers\ntestpaths = tests\n'],
      'ok-toml': ['pyproject.toml', '[tool.pytest.ini_options]\naddopts = ["-q", "-x"]\n'],
      'ini-basetemp': ['pytest.ini', `[pytest]\naddopts = -q\n  --basetemp=${ws.outside}\n`],
      'toml-plugin': ['pyproject.toml', '[tool.pytest.ini_options]\naddopts = "-p evil_plugin"\n'],
      'cfg-testpaths': ['setup.cfg', '[tool:pytest]\ntestpaths = ../../outside\n'],
      'tox-logfile': ['tox.ini', `[pytest]\nlog_file = ${ws.outside}/log.txt\n`],
      'ini-broken': ['pytest.ini', '[pytest]\nthis line has no separator\n'],
      'toml-broken': ['pyproject.toml', '[tool.pytest.ini_options\naddopts = "-q"\n'],
    };
    for (const [dir, [file, text]] of Object.entries(configs)) {
      await mkdir(join(ws.root, dir));
      await writeFile(join(ws.root, dir, file), text);
    }
  },
);
