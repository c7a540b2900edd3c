/** Logs: pino JSON on stderr, or pretty when stderr is a terminal (DESIGN.md, CLI). */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export function makeLogger(name: string): Logger {
  const level = process.env.FSJOURNAL_LOG_LEVEL ?? 'info';
  if (process.stderr.isTTY) {
    return pino(
      { name, level },
      pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l' }),
    );
  }
  return pino({ name, level }, pino.destination({ dest: 2, sync: true }));
}
