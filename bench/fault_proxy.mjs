/**
 * A TCP proxy that breaks the link between a replica and its primary on
 * demand, for the network fault test and the soak bench. Its mode can be
 * switched at any time:
 *
 * - `pass`: bytes flow both ways as they come;
 * - `cut`: every open connection is destroyed, and new ones are accepted and
 *   destroyed at once;
 * - `stall`: nothing is forwarded either way, sockets stay open (TCP
 *   backpressure fills the buffers): only heartbeat timeouts can tell;
 * - `slow`: each direction forwards `slowBytes` (16 KiB) every `slowDelayMs`
 *   (50 ms);
 * - `down`: open connections are destroyed and the port is closed, so
 *   connecting is refused.
 *
 * `cutAfter(n)` cuts at a byte: once `n` more bytes have gone down (to the
 * client), the first `n` are delivered and the connections destroyed (with
 * `thenDown`, the port is closed too, until `set('pass')`).
 *
 * `schedule()` injects a random fault every few seconds. Plain JavaScript so
 * that the bench can run it without a build; types in fault_proxy.d.mts.
 * Not guaranteed: timing is best effort (timers on a loaded machine), and a
 * connection accepted just as the mode changes may see the old mode first.
 */
import { connect, createServer } from 'node:net';

/** Faults `schedule()` picks from by default. */
export const FAULTS = ['cut', 'stall', 'slow', 'down'];

/** Bytes queued in one direction before the proxy stops reading that side. */
const HIGH_WATER = 256 * 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class FaultProxy {
  /** @type {import('./fault_proxy.d.mts').FaultMode} */
  mode = 'pass';
  /** Counters since start. */
  stats = { connections: 0, destroyed: 0, bytesUp: 0, bytesDown: 0 };
  /** @type {import('node:net').Server | undefined} */
  #server;
  /** @type {Set<{client: import('node:net').Socket, upstream: import('node:net').Socket}>} */
  #links = new Set();
  /** Resolved (and replaced) at every mode change, for stalled pumps. */
  #changed;
  #wake = () => undefined;
  #slowBytes;
  #slowDelayMs;
  /** `stats.bytesDown` at which `cutAfter` cuts; Infinity when none is armed. */
  #cutAt = Infinity;
  #downOnCut = false;

  /**
   * @param {number} port
   * @param {number} targetPort
   * @param {{ slowBytes?: number, slowDelayMs?: number }} o
   */
  constructor(port, targetPort, o) {
    this.port = port;
    this.targetPort = targetPort;
    this.#slowBytes = o.slowBytes ?? 16 * 1024;
    this.#slowDelayMs = o.slowDelayMs ?? 50;
    this.#changed = new Promise((r) => (this.#wake = r));
  }

  /** Starts a proxy on `o.port` (else a free port) in front of 127.0.0.1:`targetPort`. */
  static async start(targetPort, o = {}) {
    const p = new FaultProxy(o.port ?? 0, targetPort, o);
    await p.#listen();
    return p;
  }

  /** Number of connections open through the proxy. */
  get open() {
    return this.#links.size;
  }

  async #listen() {
    if (this.#server) return;
    const server = createServer((client) => this.#accept(client));
    await new Promise((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res(undefined));
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.#server = server;
  }

  #accept(client) {
    this.stats.connections++;
    if (this.mode === 'cut' || this.mode === 'down') {
      this.stats.destroyed++;
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    const link = { client, upstream };
    this.#links.add(link);
    const end = () => {
      if (!this.#links.delete(link)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', end);
    }
    this.#pipe(client, upstream, 'bytesUp');
    this.#pipe(upstream, client, 'bytesDown');
  }

  /** Forwards `from` to `to` as the mode says, until either closes. */
  #pipe(from, to, counter) {
    /** @type {Buffer[]} */
    const queue = [];
    let queued = 0;
    let pumping = false;
    const pump = async () => {
      if (pumping) return;
      pumping = true;
      try {
        while (queue.length > 0 && !to.destroyed) {
          if (this.mode === 'stall') {
            await this.#changed;
            continue;
          }
          let chunk;
          if (this.mode === 'slow' && queue[0].length > this.#slowBytes) {
            chunk = queue[0].subarray(0, this.#slowBytes);
            queue[0] = queue[0].subarray(this.#slowBytes);
          } else {
            chunk = queue.shift();
          }
          queued -= chunk.length;
          if (counter === 'bytesDown' && chunk.length >= this.#cutAt - this.stats.bytesDown) {
            const room = Math.max(0, this.#cutAt - this.stats.bytesDown);
            if (room > 0) to.write(chunk.subarray(0, room));
            this.stats.bytesDown += room;
            await this.#cutNow();
            break;
          }
          this.stats[counter] += chunk.length;
          if (queued < HIGH_WATER / 2 && from.isPaused()) from.resume();
          const flushed = to.write(chunk);
          if (this.mode === 'slow') await sleep(this.#slowDelayMs);
          if (!flushed && !to.destroyed) {
            await new Promise((r) => {
              const done = () => {
                to.off('drain', done);
                to.off('close', done);
                r(undefined);
              };
              to.on('drain', done);
              to.on('close', done);
            });
          }
        }
      } finally {
        pumping = false;
      }
    };
    from.on('data', (d) => {
      queue.push(d);
      queued += d.length;
      if (queued >= HIGH_WATER) from.pause();
      void pump();
    });
  }

  /**
   * Cuts every connection once `bytes` more have gone down (to the client),
   * the first `bytes` delivered; with `thenDown` the port is closed at the
   * same moment (connecting is refused until `set('pass')`).
   */
  cutAfter(bytes, thenDown = false) {
    this.#cutAt = this.stats.bytesDown + bytes;
    this.#downOnCut = thenDown;
  }

  /** The cut `cutAfter` armed: disarms it, then destroys (and closes) as it said. */
  async #cutNow() {
    const down = this.#downOnCut;
    this.#cutAt = Infinity;
    this.#downOnCut = false;
    if (down) await this.set('down');
    else this.#destroyAll();
  }

  /** Destroys every open connection. */
  #destroyAll() {
    for (const { client, upstream } of this.#links) {
      this.stats.destroyed++;
      client.destroy();
      upstream.destroy();
    }
    this.#links.clear();
  }

  /** Switches to `mode`; resolves once it is in effect (the port reopened or closed). */
  async set(mode) {
    const before = this.mode;
    this.mode = mode;
    const wake = this.#wake;
    this.#changed = new Promise((r) => (this.#wake = r));
    wake(undefined);
    if (mode === 'cut' || mode === 'down') this.#destroyAll();
    if (mode === 'down' && this.#server) {
      const server = this.#server;
      this.#server = undefined;
      await new Promise((res) => server.close(() => res(undefined)));
    } else if (mode !== 'down' && before === 'down') {
      await this.#listen();
    }
  }

  /**
   * Every `everyMs` (±50%) of `pass`, one fault picked with `rng` from
   * `o.faults` (default all four), held for `o.durationMs(fault)` (default
   * 0.5 to 1.5 × `everyMs`; a cut is a moment unless said otherwise), then
   * `pass` again. `stop()` ends the schedule and leaves the proxy in `pass`.
   */
  schedule(rng, everyMs, o = {}) {
    const faults = o.faults ?? FAULTS;
    const duration =
      o.durationMs ?? ((f) => (f === 'cut' ? 0 : Math.round(everyMs * (0.5 + rng.next()))));
    /** @type {import('./fault_proxy.d.mts').FaultEvent[]} */
    const log = [];
    let stopped = false;
    /** @type {string[]} */
    let bag = [];
    let tick = () => undefined;
    const nap = (ms) =>
      new Promise((r) => {
        const t = setTimeout(r, ms);
        tick = () => {
          clearTimeout(t);
          r(undefined);
        };
      });
    const loop = (async () => {
      const t0 = Date.now();
      while (!stopped) {
        await nap(Math.round(everyMs * (0.5 + rng.next())));
        if (stopped) break;
        // Every kind comes once per round of faults, in a random order: a
        // short run still sees cuts as well as stalls.
        if (bag.length === 0)
          bag = faults
            .map((f) => [rng.next(), f])
            .sort((a, b) => a[0] - b[0])
            .map(([, f]) => f);
        const fault = bag.shift();
        const ms = duration(fault);
        const event = { atMs: Date.now() - t0, fault, ms, open: this.open };
        log.push(event);
        o.onFault?.(event);
        await this.set(fault);
        if (ms > 0) await nap(ms);
        await this.set('pass');
      }
      await this.set('pass');
    })();
    return {
      log,
      stop: async () => {
        stopped = true;
        tick();
        await loop;
      },
    };
  }

  /** Closes the port and every connection. */
  async close() {
    await this.set('down');
  }
}
