import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { YAMLParseError, parse } from 'yaml';
import { DatasetInvalidError } from './errors.js';

export interface DatasetFile {
  path: string;
  value: unknown;
}

/** The problem of a folder that cannot be listed, as a sentence instead of a raw ENOENT/ENOTDIR. */
function folderProblem(dir: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return `  - there is no folder at this path; --dataset names a folder of *.yaml case files (the default is datasets/regression)`;
  if (err.code === 'ENOTDIR') return `  - this is a file, not a folder; --dataset names a folder of *.yaml case files (the default is datasets/regression)`;
  return `  - the folder cannot be read: ${err.message}`;
}

/** A YAML syntax error as `file:line:column` with the parser's reason (its first line) and its excerpt. */
function syntaxProblem(path: string, err: YAMLParseError): Error {
  const at = err.linePos?.[0];
  const [reason, ...excerpt] = err.message.split('\n');
  const where = at ? `${path}:${at.line}:${at.col}` : path;
  const detail = [`  - YAML syntax error: ${reason!.replace(/ at line \d+, column \d+:?$/, '')}`, ...excerpt.filter((l) => l.trim()).map((l) => `    ${l}`)];
  return new DatasetInvalidError(where, detail.join('\n'));
}

/**
 * Reads every *.yaml/*.yml of a dataset folder (sorted, not recursive) and parses it. Every failure names the file:
 * a missing folder, a folder without case files, or a YAML syntax error with its line and column.
 *
 * @example
 *   const files = await readDatasetFiles('datasets/regression'); // [{path: 'datasets/regression/files.yaml', value: {cases: [...]}}, ...]
 */
export async function readDatasetFiles(dir: string): Promise<DatasetFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new DatasetInvalidError(dir, folderProblem(dir, err as NodeJS.ErrnoException));
  }
  const yamlNames = names.filter((f) => /\.ya?ml$/.test(f)).sort();
  if (yamlNames.length === 0) throw new DatasetInvalidError(dir, '  - the folder holds no *.yaml case files');
  const out: DatasetFile[] = [];
  for (const name of yamlNames) {
    const path = join(dir, name);
    try {
      out.push({ path, value: parse(await readFile(path, 'utf8')) });
    } catch (err) {
      if (err instanceof YAMLParseError) throw syntaxProblem(path, err);
      throw err;
    }
  }
  return out;
}
