/**
 * A loopback port nothing listens on right now, for the daemons the tests
 * and benches start (the CLI cannot listen on port 0 and report the port).
 * Plain JavaScript so that the benches run it without a build; types in
 * free_port.d.mts.
 * Not guaranteed: another process may take the port between this answer and
 * the daemon's listen (on a test machine it does not happen in practice).
 */
import { createServer } from 'node:net';

/** Binds port 0 on 127.0.0.1, reads the port, closes. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}
