import { loadConfig } from '../config.js';
import { osInfoTool, pythonMachine, pythonSystem } from './os-info.js';

describe('os_info', () => {
  it('returns the original shape with Python-style values', async () => {
    const result = (await osInfoTool.run({}, { workspaceRoot: '/', config: loadConfig({}) })) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['arch', 'cpus', 'error', 'memory', 'platform', 'release', 'uptime_seconds']);
    expect(result.error).toBe(false);
    expect(['Linux', 'Darwin', 'Windows']).toContain(result.platform);
    expect(result.arch).not.toBe('x64');
    expect(typeof result.release).toBe('string');
    expect(Number.isInteger(result.cpus) && (result.cpus as number) > 0).toBe(true);
    expect(Number.isInteger(result.memory) && (result.memory as number) > 1024 * 1024).toBe(true);
    expect(Number.isInteger(result.uptime_seconds) && (result.uptime_seconds as number) >= 0).toBe(true);
    expect(osInfoTool.mutating).toBe(false);
  });

  it.each([
    ['linux', 'Linux'],
    ['darwin', 'Darwin'],
    ['win32', 'Windows'],
    ['freebsd', 'FreeBSD'],
    ['openbsd', 'OpenBSD'],
    ['sunos', 'SunOS'],
    ['aix', 'AIX'],
    ['haiku', 'haiku'],
  ])('platform %s → %s', (node, python) => {
    expect(pythonSystem(node)).toBe(python);
  });

  it.each([
    ['x64', 'linux', 'x86_64'],
    ['x64', 'darwin', 'x86_64'],
    ['x64', 'win32', 'x86_64'],
    ['arm64', 'linux', 'aarch64'],
    ['arm64', 'darwin', 'arm64'],
    ['arm64', 'win32', 'ARM64'],
    ['ia32', 'linux', 'i686'],
    ['ia32', 'win32', 'x86'],
    ['arm', 'linux', 'armv7l'],
    ['ppc64', 'linux', 'ppc64le'],
    ['s390x', 'linux', 's390x'],
    ['riscv64', 'linux', 'riscv64'],
    ['loong64', 'linux', 'loongarch64'],
  ])('arch %s on %s → %s', (arch, platform, machine) => {
    expect(pythonMachine(arch, platform)).toBe(machine);
  });

  it('big-endian ppc64 stays ppc64', () => {
    expect(pythonMachine('ppc64', 'aix', false)).toBe('ppc64');
  });
});
