import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_VERSION } from './version.js';

const ROOT = join(import.meta.dirname, '../..');

describe('SERVICE_VERSION', () => {
  it("is package.json's version, read from the file the release bumps", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(SERVICE_VERSION).toBe(pkg.version);
  });
});
