/** Runs a daemon until SIGINT or SIGTERM, then closes it cleanly; SIGHUP reloads. */
import type { Logger } from 'pino';

export async function runUntilSignal(
  logger: Logger,
  close: () => Promise<void>,
  /** On SIGHUP (the TLS files again); a failure is logged and the daemon goes on. */
  reload?: () => Promise<void>,
): Promise<void> {
  const hup = (): void => {
    if (!reload) return logger.info({}, 'SIGHUP: nothing to reload');
    reload().then(
      () => logger.info({}, 'SIGHUP: TLS certificate reloaded'),
      (err: unknown) =>
        logger.error({ err }, 'SIGHUP: TLS reload failed; the certificate served is unchanged'),
    );
  };
  process.on('SIGHUP', hup);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.off('SIGHUP', hup);
  await close();
  logger.info({}, 'stopped');
}
