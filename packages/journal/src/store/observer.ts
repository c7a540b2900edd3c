/**
 * Observers of a journal's work, for metrics: the callbacks
 * (`JournalObserver`) and the set of them one journal calls.
 *
 * Callbacks run synchronously on the append path, in the order they were
 * added; one that throws is ignored and not reported, so metrics never fail
 * an append.
 */
import type { JournalError } from '../errors.js';
import type { RecordKind } from '../record/record.js';
import type { JournalRecovery } from './recovery.js';

/**
 * Watches the journal's work, for metrics (the api package turns these into
 * Prometheus series; the journal knows nothing of them). Callbacks run
 * synchronously on the append path: keep them cheap, never throw.
 */
export interface JournalObserver {
  /**
   * One append call became durable: the kinds of its records, their framed
   * bytes, and seconds from the call to durable (queueing, group commit,
   * write and fsync included).
   */
  onAppended?(a: { kinds: readonly RecordKind[]; bytes: number; seconds: number }): void;
  /** One fdatasync of a segment took `seconds` (not called under `sync: none`). */
  onFsync?(seconds: number): void;
  /** A write or fsync failed: the journal refuses appends until recovered. */
  onFailed?(error: JournalError): void;
  /** `recover()` succeeded: appends are taken again, after the GAP it wrote. */
  onRecovered?(recovery: JournalRecovery): void;
}

/** One append call as observers hear of it once durable. */
export interface ObservedAppend {
  kinds: readonly RecordKind[];
  bytes: number;
  /** performance.now() at the append call. */
  startedMs: number;
}

/** The observers of one journal, called in the order they were added. */
export class ObserverSet {
  private readonly observers = new Set<JournalObserver>();

  /** Adds `observer`; returns the function that removes it. */
  add(observer: JournalObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Calls every observer; one that throws is ignored (metrics never fail an append). */
  notify(call: (o: JournalObserver) => void): void {
    for (const o of this.observers) {
      try {
        call(o);
      } catch {
        // ignored: see above
      }
    }
  }

  /** Tells every observer of each append call in `batch`, timed to now. */
  appended(batch: readonly ObservedAppend[]): void {
    if (this.observers.size === 0) return;
    const now = performance.now();
    for (const p of batch) {
      const a = { kinds: p.kinds, bytes: p.bytes, seconds: (now - p.startedMs) / 1000 };
      this.notify((o) => o.onAppended?.(a));
    }
  }
}
