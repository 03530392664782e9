import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readReport, type LoadComparison } from '../evals/report/index.js';

// `npm run load:stability [-- --runs 5 --slowdown 0.3 --against HEAD --profile smoke --pairs 8 --no-hog]`: verdict
// stability as a measured property. With a CPU hog beside it (a real busy process, `node -e 'for(;;);'`), runs
// `luminamind load --against REF` on identical code N times (must never say "regressed"), then N times with the
// candidate slowed by --slowdown (must say "regressed" in ≥ N−1). Prints each run's verdict, p-value and effect;
// exits 1 when the property does not hold. Not a test: it takes about a minute per run (each pair's blocks run at once).

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    slowdown: { type: 'string', default: '0.3' },
    against: { type: 'string', default: 'HEAD' },
    profile: { type: 'string', default: 'smoke' },
    pairs: { type: 'string' },
    'no-hog': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const slowdown = Number(values.slowdown);

interface Row {
  arm: 'A/A' | 'slowed';
  run: number;
  exitCode: number | null;
  comparison?: LoadComparison;
  perMeasure: Array<{ measure: string; relativeChange: number; pValue: number; verdict: string }>;
}

const children = new Set<ChildProcess>();
const stopChildren = () => {
  for (const c of children) c.kill('SIGTERM');
};
process.once('SIGINT', () => {
  stopChildren();
  process.exitCode = 130;
});

function loadRun(out: string, slowed: boolean): Promise<number | null> {
  const args = [resolve('bin/luminamind'), 'load', '--profile', values.profile!, '--against', values.against!, '--out', out, ...(values.pairs ? ['--pairs', values.pairs] : []), ...(slowed ? ['--slow-candidate', String(slowdown)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (/^(pair|load:|luminamind:)/.test(line)) process.stderr.write(`  ${line}\n`);
  });
  return new Promise((done) =>
    child.once('exit', (code) => {
      children.delete(child);
      done(code);
    }),
  );
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lm-load-stability-'));
  // The hog: one core kept busy for the whole measurement by an unrelated process.
  const hog = values['no-hog'] ? undefined : spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' });
  if (hog) children.add(hog);
  const rows: Row[] = [];
  try {
    process.stderr.write(`stability: ${runs} A/A and ${runs} slowed (+${slowdown * 100} %) runs of load --profile ${values.profile} --against ${values.against}${hog ? `, CPU hog pid ${hog.pid}` : ', no hog'}\n`);
    for (const arm of ['A/A', 'slowed'] as const)
      for (let i = 1; i <= runs && process.exitCode !== 130; i++) {
        process.stderr.write(`stability: ${arm} run ${i}/${runs} …\n`);
        const out = join(dir, `${arm === 'A/A' ? 'aa' : 'slowed'}-${i}.json`);
        const exitCode = await loadRun(out, arm === 'slowed');
        const report = await readReport(out, 'load').catch(() => undefined);
        const against = report?.config.against as { perMeasure?: Row['perMeasure'] } | undefined;
        rows.push({ arm, run: i, exitCode, comparison: report?.summary.comparison, perMeasure: against?.perMeasure ?? [] });
        const c = report?.summary.comparison;
        process.stderr.write(`stability: ${arm} run ${i}: ${c?.verdict ?? 'no report'} (exit ${exitCode}), p=${c?.pValue?.toPrecision(2) ?? '–'}, effect ${pct(c?.maxRelativeChange)}, CPU ${pct(c?.cpuRelativeChange)}\n`);
      }
  } finally {
    stopChildren();
    await rm(dir, { recursive: true, force: true });
  }
  const measures = ['matchedLatency', 'p50Ms', 'p95Ms', 'cpuMsPerRequest'];
  console.log(`| arm | run | verdict | exit | p | effect (max latency) | ${measures.join(' | ')} |`);
  console.log(`|---|---|---|---|---|---|${measures.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cells = measures.map((m) => {
      const x = r.perMeasure.find((p) => p.measure === m);
      return x ? `${pct(x.relativeChange)} p=${x.pValue.toPrecision(2)}` : '–';
    });
    console.log(`| ${r.arm} | ${r.run} | ${r.comparison?.verdict ?? 'none'} | ${r.exitCode} | ${r.comparison?.pValue?.toPrecision(2) ?? '–'} | ${pct(r.comparison?.maxRelativeChange)} | ${cells.join(' | ')} |`);
  }
  const falseAlarms = rows.filter((r) => r.arm === 'A/A' && r.comparison?.verdict === 'regressed').length;
  const caught = rows.filter((r) => r.arm === 'slowed' && r.comparison?.verdict === 'regressed').length;
  const judged = rows.filter((r) => r.arm === 'A/A' && r.comparison && r.comparison.verdict !== 'inconclusive').length;
  console.log(`\nA/A: ${falseAlarms} of ${runs} said regressed (must be 0; ${judged} judged); slowed +${slowdown * 100} %: ${caught} of ${runs} said regressed (must be ≥ ${runs - 1})`);
  if (falseAlarms > 0 || caught < runs - 1 || judged < runs) process.exitCode = 1;
}

await main();
