/**
 * The primary's metrics: journal positions and size, append and fsync
 * latency, records by kind (GAPs and checkpoints among them), each replica's
 * position and lag (label `replica`), replica connects and reconnects, and
 * errors by code (answered by the API; closing or reported on the stream).
 * Positions and lag are read at scrape time; latencies and counts come from
 * the journal's observer and from the stream server as they happen.
 */
import { Registry, type Counter } from 'prom-client';
import {
  RecordKind,
  kindName,
  type Checkpoints,
  type Journal,
  type SyncReplicationStatus,
} from '@fsjournal/journal';
import { journalHealthOf, type JournalHealth } from './journal_supervisor.js';
import {
  apiErrorsCounter,
  counterIn,
  counterOf,
  gaugeOf,
  labelledGaugeOf,
  latencyHistogram,
} from './metrics.js';
import type { ReplicaRegistry, ReplicaRow } from './replica_registry.js';

export interface PrimaryMetricsOptions {
  journal: Journal;
  registry: ReplicaRegistry;
  checkpoints?: Checkpoints;
  /** Mount mode with --sync-replicas: the state of synchronous replication. */
  syncStatus?: () => SyncReplicationStatus | undefined;
  /** The journal's health (the primary's supervisor); default: read from the journal. */
  health?: () => JournalHealth;
}

/** Which end of the stream an error came from. */
export type StreamErrorSide = 'primary' | 'replica';

export class PrimaryMetrics {
  /** This primary's registry (process metrics are added when rendered). */
  readonly registry = new Registry();
  private readonly connects: Counter<'replica'>;
  private readonly reconnects: Counter<'replica'>;
  private readonly apiErrors: Counter<'code'>;
  private readonly streamErrors: Counter<'code' | 'side'>;
  private readonly unobserve: () => void;

  constructor(o: PrimaryMetricsOptions) {
    const r = this.registry;
    const j = o.journal;
    gaugeOf(r, 'fsjournal_journal_first_lsn', 'Oldest LSN the journal holds', () => j.firstLsn);
    gaugeOf(
      r,
      'fsjournal_journal_last_lsn',
      'Newest LSN appended (maybe not durable)',
      () => j.lastLsn,
    );
    gaugeOf(r, 'fsjournal_journal_durable_lsn', 'Newest LSN made durable', () => j.durableLsn);
    const health = o.health ?? (() => journalHealthOf(j));
    gaugeOf(
      r,
      'fsjournal_journal_failed',
      '1 while the journal (or the capture feeding it) is failed and changes are not journaled, else 0',
      () => (health().state === 'failed' ? 1 : 0),
    );
    counterOf(
      r,
      'fsjournal_journal_recoveries_total',
      'Times a failed journal and capture were recovered without a restart',
      () => health().recoveries,
    );
    counterOf(
      r,
      'fsjournal_journal_recovery_attempts_total',
      'Recovery attempts of a failed journal, those that failed included',
      () => health().totalAttempts,
    );
    // 0 unless mount mode with --sync-replicas N.
    const sync = (): SyncReplicationStatus | undefined => o.syncStatus?.();
    gaugeOf(
      r,
      'fsjournal_sync_replication_degraded',
      'Mount mode --sync-replicas: 1 while replication is degraded to asynchronous, else 0',
      () => (sync()?.state === 'degraded' ? 1 : 0),
    );
    gaugeOf(
      r,
      'fsjournal_sync_replication_degradations',
      'Mount mode --sync-replicas: times replication degraded since start',
      () => sync()?.degradations ?? 0,
    );
    gaugeOf(
      r,
      'fsjournal_sync_replication_timeouts',
      'Mount mode --sync-replicas: changes whose wait for replicas timed out since start',
      () => sync()?.timeouts ?? 0,
    );
    gaugeOf(
      r,
      'fsjournal_journal_bytes',
      'Bytes of the retained journal segments',
      () => j.sizeBytes,
    );
    const records = counterIn(
      r,
      'fsjournal_journal_records_total',
      'Records appended (durable), by kind',
      ['kind'],
    );
    const bytes = counterIn(
      r,
      'fsjournal_journal_appended_bytes_total',
      'Framed bytes of records appended (durable)',
    );
    const gaps = counterIn(
      r,
      'fsjournal_journal_gaps_total',
      'GAP records appended (changes may have been missed and the subtree was rescanned)',
    );
    const checkpointsWritten = counterIn(
      r,
      'fsjournal_checkpoints_written_total',
      'Checkpoints written (CHECKPOINT records appended)',
    );
    const appendSeconds = latencyHistogram(
      r,
      'fsjournal_journal_append_seconds',
      'Seconds from an append call to its records being durable (group commit included)',
    );
    const fsyncSeconds = latencyHistogram(
      r,
      'fsjournal_journal_fsync_seconds',
      'Seconds one fdatasync of the active segment took',
    );
    this.unobserve = j.observe({
      onAppended: (a) => {
        appendSeconds.observe(a.seconds);
        bytes.inc(a.bytes);
        for (const k of a.kinds) {
          records.inc({ kind: kindName(k) });
          if (k === RecordKind.RECORD_KIND_GAP) gaps.inc();
          if (k === RecordKind.RECORD_KIND_CHECKPOINT) checkpointsWritten.inc();
        }
      },
      onFsync: (s) => fsyncSeconds.observe(s),
    });
    if (o.checkpoints) {
      const cps = o.checkpoints;
      gaugeOf(r, 'fsjournal_checkpoints', 'Checkpoints held', () => cps.list().length);
      gaugeOf(
        r,
        'fsjournal_checkpoint_newest_lsn',
        'LSN of the newest checkpoint (0: none)',
        () => cps.newest?.lsn ?? 0,
      );
    }

    const perReplica = (name: string, help: string, value: (row: ReplicaRow) => number): void => {
      labelledGaugeOf(r, { name, help, labelNames: ['replica'] as const }, () =>
        o.registry.rows().map((row) => [{ replica: row.id }, value(row)]),
      );
    };
    perReplica('fsjournal_replica_connected', '1 while the replica is connected', (x) =>
      x.connected ? 1 : 0,
    );
    perReplica(
      'fsjournal_replica_applied_lsn',
      'Newest LSN the replica applied',
      (x) => x.appliedLsn,
    );
    perReplica(
      'fsjournal_replica_durable_lsn',
      'Newest LSN the replica applied and made durable',
      (x) => x.durableLsn,
    );
    perReplica(
      'fsjournal_replica_lag_records',
      'Durable records the replica has not applied',
      (x) => x.lagRecords,
    );
    perReplica(
      'fsjournal_replica_lag_bytes',
      'Journal bytes the replica has not applied (estimate)',
      (x) => x.lagBytes,
    );
    perReplica(
      'fsjournal_replica_lag_seconds',
      'Age of the oldest record the replica has not applied',
      (x) => x.lagMs / 1000,
    );
    this.connects = counterIn(
      r,
      'fsjournal_replica_connects_total',
      'Stream handshakes accepted, by replica',
      ['replica'],
    );
    this.reconnects = counterIn(
      r,
      'fsjournal_replica_reconnects_total',
      'Handshakes accepted from a replica this primary already knew (this run or replicas.json)',
      ['replica'],
    );
    this.apiErrors = apiErrorsCounter(r);
    this.streamErrors = counterIn(
      r,
      'fsjournal_stream_errors_total',
      'Stream errors by code: side=primary the primary closed a stream on it, side=replica a replica reported it',
      ['code', 'side'],
    );
  }

  /** A replica's handshake was accepted; `known` when the primary had seen its id before. */
  replicaConnected(id: string, known: boolean): void {
    this.connects.inc({ replica: id });
    if (known) this.reconnects.inc({ replica: id });
  }

  streamError(code: string, side: StreamErrorSide): void {
    this.streamErrors.inc({ code, side });
  }

  apiError(code: string): void {
    this.apiErrors.inc({ code });
  }

  /** Stops observing the journal. */
  close(): void {
    this.unobserve();
  }
}
