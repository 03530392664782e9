import { arch, cpus, endianness, platform, release, totalmem, uptime } from 'node:os';
import { z } from 'zod';
import { defineTool } from './support/types.js';

// Python's platform.system() names, which the original returned; unknown platforms pass through unchanged.
const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  linux: 'Linux',
  darwin: 'Darwin',
  win32: 'Windows',
  freebsd: 'FreeBSD',
  openbsd: 'OpenBSD',
  netbsd: 'NetBSD',
  sunos: 'SunOS',
  aix: 'AIX',
  android: 'Android',
  cygwin: 'CYGWIN_NT',
};

/** Node's `os.platform()` as Python's `platform.system()` would say it. */
export function pythonSystem(nodePlatform: string): string {
  return Object.hasOwn(SYSTEM_NAMES, nodePlatform) ? SYSTEM_NAMES[nodePlatform]! : nodePlatform;
}

/**
 * Node's `os.arch()` as Python's `platform.machine()` (uname -m) would say it. x64 is `x86_64` everywhere,
 * as the original Python service reported them (Python itself says `AMD64` on Windows). 64-bit ARM follows Python per OS:
 * `aarch64` on Linux (and other Unixes), `arm64` on macOS, `ARM64` on Windows.
 */
export function pythonMachine(nodeArch: string, nodePlatform: string, littleEndian = true): string {
  switch (nodeArch) {
    case 'x64':
      return 'x86_64';
    case 'arm64':
      return nodePlatform === 'darwin' ? 'arm64' : nodePlatform === 'win32' ? 'ARM64' : 'aarch64';
    case 'ia32':
      return nodePlatform === 'win32' ? 'x86' : 'i686';
    case 'arm':
      return 'armv7l';
    case 'ppc64':
      return littleEndian ? 'ppc64le' : 'ppc64';
    case 'loong64':
      return 'loongarch64';
    default:
      return nodeArch;
  }
}

/** The `os_info` tool: host facts in the original's Python-shaped values. */
export const osInfoTool = defineTool({
  name: 'os_info',
  description: 'Facts about the host: platform (Linux|Darwin|Windows), release, arch, CPU count, total memory in bytes, uptime in seconds.',
  schema: z.object({}),
  mutating: false,
  async run() {
    return {
      error: false,
      platform: pythonSystem(platform()),
      release: release(),
      arch: pythonMachine(arch(), platform(), endianness() === 'LE'),
      cpus: cpus().length,
      memory: totalmem(),
      uptime_seconds: Math.floor(uptime()),
    };
  },
});
