import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';

const SECRET_KEY = /key|token|secret|password|hash/i;
const MIN_SECRET_CHARS = 6;

/** Every secret value in the config (model, search and weather keys, Redis password, key hashes), for scrubbing. */
export function secretsOf(config: Config): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, secretBranch: boolean) => {
    if (typeof value === 'string') {
      if (secretBranch && value.length >= MIN_SECRET_CHARS && value !== 'none') found.add(value);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, secretBranch || SECRET_KEY.test(k));
    }
  };
  walk(config, false);
  return [...found].sort((a, b) => b.length - a.length);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A last line of defence behind pino's path redaction: any configured secret value that reaches a log line by any
 * route (an error message quoting a header, an upstream body) is replaced before the line is written.
 */
export function scrubbingStream(destination: DestinationStream, secrets: readonly string[]): DestinationStream {
  if (secrets.length === 0) return destination;
  // Built from escaped literals only, so the pattern cannot be attacker-shaped.
  // eslint-disable-next-line security/detect-non-literal-regexp
  const pattern = new RegExp(secrets.map(escapeRegExp).join('|'), 'g');
  return {
    write(line: string) {
      return destination.write(line.replace(pattern, '[redacted]'));
    },
  } as DestinationStream;
}

export interface LoggerOptions {
  /** Where JSON lines go; stdout when omitted (tests pass a capture stream). */
  readonly stream?: DestinationStream;
}

/** The service's root pino logger: JSON lines, ISO timestamps, secrets redacted by path and by value. */
export function createLogger(config: Config, options: LoggerOptions = {}): Logger {
  const destination = options.stream ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: config.log.level,
      // No base fields: the service adds `logger` per stream (luminamind, security) as a child binding.
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'headers.authorization',
          '*.apiKey',
          '*.api_key',
          '*.password',
          '*.token',
          'config',
        ],
        censor: '[redacted]',
      },
    },
    scrubbingStream(destination, secretsOf(config)),
  );
}

/** An in-memory log sink for tests: every JSON line written, in order. */
export function createLogCapture(): { stream: DestinationStream; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream: stream as unknown as DestinationStream, lines };
}
