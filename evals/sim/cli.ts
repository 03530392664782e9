import { type Command, InvalidArgumentError } from 'commander';
import { EvalUsageError } from '../errors.js';
import type { FaultsInput } from './faults.js';
import { startSimulator } from './server.js';

interface SimOptions {
  port: number;
  host: string;
  cassettes?: string[];
  latencyMs?: number;
  errorRate?: number;
  errorStatus?: number;
  seed?: number;
  ttftMs?: number;
  tokensPerSecond?: number;
  recordTo?: string;
  upstream?: string;
  recordId?: string;
}

function number(min: number, max: number, integer = true): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
    }
    return n;
  };
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('Run the OpenAI-compatible model simulator: answers chat completions from cassettes, fails closed on a miss, injects faults.')
    .option('-p, --port <port>', 'port to listen on (0 = a free port)', number(0, 65535), 4010)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('-c, --cassettes <paths...>', 'cassette files or directories (.json, .yaml, .yml)')
    .option('--latency-ms <ms>', 'added latency before every completion', number(0, 600_000))
    .option('--error-rate <rate>', 'share of completions that fail (seeded, repeatable)', number(0, 1, false))
    .option('--error-status <status>', 'HTTP status of injected failures', number(400, 599), 503)
    .option('--seed <n>', 'seed of the error-rate RNG', number(-2147483648, 2147483647), 1)
    .option('--ttft-ms <ms>', 'time to first token (latency model for load tests)', number(0, 600_000))
    .option('--tokens-per-second <n>', 'generation speed after the first token', number(0, 1_000_000, false))
    .option('--record-to <file>', 'recording proxy: forward to --upstream and write what it answers to this cassette file')
    .option('--upstream <url>', 'recording proxy: base URL of the real endpoint, ending in /v1 (the client Authorization header is forwarded)')
    .option('--record-id <id>', 'recording proxy: id of the written cassette', 'recorded')
    .addHelpText(
      'after',
      `
The base URL for OpenAI clients is printed on stdout (e.g. http://127.0.0.1:4010/v1); point
OPENAI_BASE_URL at it. A request with no cassette gets HTTP 404 with code EVL_ERR_SIM_NO_CASSETTE
naming the nearest cassette. Faults and cassettes can also be changed at run time:
  GET|POST|DELETE /_admin/faults   GET|POST|DELETE /_admin/cassettes   GET|DELETE /_admin/stats
Runs until SIGINT or SIGTERM. Cassette format and keying: evals/sim/README.md.

Examples:
  luminamind sim --port 4010 --cassettes datasets/cassettes
  luminamind sim --port 0 --cassettes case.yaml --error-rate 0.2 --error-status 429
  luminamind sim --record-to rec.yaml --upstream https://api.openai.com/v1`,
    )
    .action(async (opts: SimOptions) => {
      if (Boolean(opts.recordTo) !== Boolean(opts.upstream)) {
        throw new EvalUsageError('--record-to and --upstream go together');
      }
      const faults: FaultsInput = {
        errorStatus: opts.errorStatus ?? 503,
        seed: opts.seed ?? 1,
        ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
        ...(opts.errorRate === undefined ? {} : { errorRate: opts.errorRate }),
        ...(opts.ttftMs === undefined ? {} : { ttftMs: opts.ttftMs }),
        ...(opts.tokensPerSecond === undefined ? {} : { tokensPerSecond: opts.tokensPerSecond }),
      };
      const sim = await startSimulator({
        port: opts.port,
        host: opts.host,
        faults,
        ...(opts.cassettes ? { cassettes: opts.cassettes } : {}),
        ...(opts.recordTo && opts.upstream ? { record: { file: opts.recordTo, upstream: opts.upstream, id: opts.recordId ?? 'recorded' } } : {}),
      });
      const loaded = sim.cassettes();
      process.stdout.write(`${sim.url}\n`);
      process.stderr.write(
        `luminamind sim: listening on ${sim.url} (${opts.recordTo ? `recording to ${opts.recordTo}` : `${loaded.length} cassette(s)`}); Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await sim.close();
    });
}
