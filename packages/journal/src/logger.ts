/**
 * The one logger type every package takes: the subset of a pino logger that
 * fsjournal calls. Daemons pass their pino logger; libraries default to
 * `silentLogger`.
 */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything (the default of every library class). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
