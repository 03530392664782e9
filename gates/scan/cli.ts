import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultReportPath } from '../../evals/report/index.js';
import { SCANNER_IDS, type ScannerId } from './ids.js';

function parseChecks(value: string): ScannerId[] {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(SCANNER_IDS as readonly string[]).includes(id));
  if (unknown.length) throw new InvalidArgumentError(`unknown check(s) ${unknown.join(', ')}; known: ${SCANNER_IDS.join(', ')}`);
  return ids as ScannerId[];
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('Security scan: eslint security rules, ast-grep rules (and semgrep when installed), secrets, npm audit, and the attack corpora replayed through `luminamind tool`.')
    .option('-o, --out <file>', 'where to write the security report', defaultReportPath('security'))
    .addOption(new Option('--only <checks>', `comma-separated subset of: ${SCANNER_IDS.join(', ')}`).argParser(parseChecks))
    .option('--root <dir>', 'repository to scan', '.')
    .addHelpText(
      'after',
      `
Writes a report envelope (kind security) with every finding {check, rule, file, line, severity} and each
check's status: pass, fail, inconclusive (could not run, e.g. no advisory endpoint) or skipped (tool not
installed). Progress goes to stderr; stdout gets one summary line.

Exit codes: 0 no high or critical finding and no failed check; 1 findings; 2 usage error.
Inconclusive and skipped checks do not change the exit code: the gate decides what they mean.

Examples:
  luminamind scan
  luminamind scan --only secrets,ast-grep --out /tmp/security.json`,
    )
    .action(async (opts: { out: string; only?: ScannerId[]; root: string }) => {
      // Loaded on use: the scanners pull in eslint and its plugins, which every other subcommand can do without.
      const { runScan } = await import('./run-scan.js');
      const { report, path, exitCode } = await runScan({ root: resolve(opts.root), out: opts.out, only: opts.only });
      const f = report.summary.findings;
      const checks = report.summary.checks.map((c) => `${c.id}=${c.status}`).join(' ');
      process.stdout.write(`security: critical ${f.critical}, high ${f.high}, medium ${f.medium}, low ${f.low}; ${checks}; report ${path}\n`);
      process.exitCode = exitCode;
    });
}
