#!/usr/bin/env node
// The package mirror these machines use lacks some platform-only optional packages (e.g. the darwin and
// win32 builds of @ast-grep/cli and @swc/core), so `npm install` leaves them out of package-lock.json and
// `npm ci` then refuses the lock as out of sync. This adds an entry for each missing optional dependency
// with its os/cpu, which `npm ci` checks and skips on this platform without fetching anything.
// Run it after any `npm install` that changes the lock: node .ci/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', freebsd: 'freebsd', android: 'android', sunos: 'sunos', openbsd: 'openbsd', aix: 'aix' };
const CPU = ['x64', 'arm64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'];

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    const present = lock.packages[base] ?? lock.packages[`node_modules/${name}`];
    // An entry of another version (left over from an earlier resolution) counts as missing too.
    if (present && (present.version === version || !/^\d/.test(version))) continue;
    const parts = name.split('/').pop().split('-');
    const os = parts.find((p) => OS[p]);
    const cpu = parts.find((p) => CPU.includes(p));
    if (!os && !cpu) continue; // not a platform build: a real omission npm should report
    lock.packages[`node_modules/${name}`] = { version, optional: true, ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform stub(s) to package-lock.json`);
