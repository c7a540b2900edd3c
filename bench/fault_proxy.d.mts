/** Types of bench/fault_proxy.mjs (see there). */

/** What the link does: see the module comment of fault_proxy.mjs. */
export type FaultMode = 'pass' | 'cut' | 'stall' | 'slow' | 'down';
export type Fault = Exclude<FaultMode, 'pass'>;

/** The random source `schedule()` draws from (test/harness.ts `rng()`). */
export interface FaultRng {
  next(): number;
  pick<T>(a: T[]): T;
}

/** One fault the schedule injected: when (ms after it began), what, for how long. */
export interface FaultEvent {
  atMs: number;
  fault: Fault;
  ms: number;
  /** Connections open through the proxy just before. */
  open: number;
}

export interface ScheduleOptions {
  faults?: Fault[];
  durationMs?: (fault: Fault) => number;
  onFault?: (event: FaultEvent) => void;
}

export interface Schedule {
  readonly log: FaultEvent[];
  stop(): Promise<void>;
}

export declare const FAULTS: Fault[];

export declare class FaultProxy {
  port: number;
  readonly targetPort: number;
  readonly mode: FaultMode;
  readonly stats: { connections: number; destroyed: number; bytesUp: number; bytesDown: number };
  readonly open: number;
  static start(
    targetPort: number,
    o?: { port?: number; slowBytes?: number; slowDelayMs?: number },
  ): Promise<FaultProxy>;
  set(mode: FaultMode): Promise<void>;
  /**
   * Cuts every connection once `bytes` more have gone down (to the client);
   * with `thenDown` the port is closed at the same moment.
   */
  cutAfter(bytes: number, thenDown?: boolean): void;
  schedule(rng: FaultRng, everyMs: number, o?: ScheduleOptions): Schedule;
  close(): Promise<void>;
}
