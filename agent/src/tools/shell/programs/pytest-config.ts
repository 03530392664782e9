import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { refuse, type PolicyCtx } from '../grammar.js';
import { splitWords } from '../words.js';

/** Ini keys that name paths pytest reads, writes or imports from: each value must stay inside the workspace. */
const PATH_KEYS = ['testpaths', 'pythonpath', 'cache_dir', 'log_file', 'junit_logfile'];

/** The pytest settings one config file holds: `addopts` as argv and the path-valued keys. */
export interface PytestSettings {
  readonly file: string;
  readonly addopts: string[];
  readonly paths: { key: string; value: string }[];
}

/** `key = value` lines of one ini section, with indented continuation lines (Python's configparser). */
function iniSection(text: string, section: string): Map<string, string> | undefined {
  const values = new Map<string, string>();
  let inSection = false;
  let found = false;
  let key: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
      inSection = trimmed.slice(1, -1).trim() === section;
      found ||= inSection;
      key = undefined;
      continue;
    }
    if (!inSection || trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (/^\s/.test(line) && key) {
      values.set(key, `${values.get(key)} ${line.trim()}`);
      continue;
    }
    const at = line.search(/[=:]/);
    if (at <= 0) refuse('pytest_config', `pytest: cannot read line '${line.trim()}' in section [${section}]`);
    key = line.slice(0, at).trim().toLowerCase();
    values.set(key, line.slice(at + 1).trim());
  }
  return found ? values : undefined;
}

const asWords = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? splitWords(value).map((w) => w.text) : [];

/** Reads one candidate config file the way pytest does; undefined when it holds no pytest section. */
async function readSettings(file: string): Promise<PytestSettings | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const name = file.slice(file.lastIndexOf('/') + 1);
  let values: Map<string, unknown> | undefined;
  if (name === 'pyproject.toml') {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      return refuse('pytest_config', `pytest: ${file} is not valid TOML (${(err as Error).message.split('\n')[0]})`);
    }
    const options = ((doc.tool as Record<string, unknown> | undefined)?.pytest as Record<string, unknown> | undefined)?.ini_options;
    values = options && typeof options === 'object' ? new Map(Object.entries(options)) : undefined;
  } else {
    values = iniSection(text, name === 'setup.cfg' ? 'tool:pytest' : name === 'tox.ini' ? 'pytest' : 'pytest');
    // pytest.ini is pytest's even without a section: an empty one still stops the search.
    if (!values && (name === 'pytest.ini' || name === '.pytest.ini')) values = new Map();
  }
  if (!values) return undefined;
  const paths = PATH_KEYS.flatMap((key) => asWords(values.get(key)).map((value) => ({ key, value })));
  return { file, addopts: asWords(values.get('addopts')), paths };
}

const CANDIDATES = ['pytest.ini', '.pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'];

/**
 * The config files pytest could pick for this run: for each directory it starts from (the test paths, or the
 * cwd), the first candidate holding pytest settings from there up to the workspace root. Every one is
 * returned, since which one pytest picks depends on the common ancestor of all its arguments.
 */
export async function pytestConfigs(p: PolicyCtx, starts: readonly string[]): Promise<PytestSettings[]> {
  const root = p.opts.ctx.workspaceRoot;
  const found = new Map<string, PytestSettings>();
  for (const start of starts.length ? starts : [p.opts.cwd]) {
    for (let dir = resolve(p.opts.cwd, start); dir.startsWith(root); dir = dirname(dir)) {
      const settings = (await Promise.all(CANDIDATES.map((c) => readSettings(join(dir, c))))).find(Boolean);
      if (settings) {
        found.set(settings.file, settings);
        break;
      }
      if (dir === root) break;
    }
  }
  return [...found.values()];
}
