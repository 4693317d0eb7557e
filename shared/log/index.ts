/**
 * Structured logs (pino, JSON lines on stderr so stdout stays for results).
 *
 *   const log = createLogger('worker', { index: 3 });
 *   log.info({ round, stragglers }, 'round decoded');
 */
import pino, { type Logger } from 'pino';

export type { Logger };

let rootLevel: string = process.env.CODA_LOG_LEVEL ?? 'info';

export function setLogLevel(level: string): void {
  rootLevel = level;
}

export function createLogger(role: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level: rootLevel,
      base: { role, pid: process.pid, ...bindings },
      // The token travels in metadata and configs; make sure it never reaches a log line.
      redact: { paths: ['token', '*.token', 'config.token', 'metadata'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
