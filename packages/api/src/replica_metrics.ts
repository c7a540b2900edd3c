/**
 * The replica's metrics: applied, durable and upstream LSN, lag in records
 * and seconds, apply latency per batch, reconnects, errors by code (the
 * stream's and the API's), and the state (one series per state, 1 for the
 * current one). Every series carries `replica="<id>"`.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { ReplicaDaemon, ReplicaState } from '@fsjournal/replica';
import { counterOf, gaugeOf, labelledGaugeOf, LATENCY_BUCKETS } from './metrics.js';

const STATES: readonly ReplicaState[] = [
  'connecting',
  'bootstrapping',
  'streaming',
  'resyncing',
  'error',
];

export class ReplicaMetrics {
  /** This replica's registry (process metrics are added when rendered). */
  readonly registry = new Registry();
  private readonly apiErrors: Counter<'code'>;
  private readonly unobserve: () => void;

  constructor(daemon: ReplicaDaemon) {
    const r = this.registry;
    r.setDefaultLabels({ replica: daemon.id });
    const s = () => daemon.status();
    gaugeOf(
      r,
      'fsjournal_replica_applied_lsn',
      'Newest LSN applied to the target',
      () => s().appliedLsn,
    );
    gaugeOf(
      r,
      'fsjournal_replica_durable_lsn',
      'Newest LSN applied, made durable and persisted as the position',
      () => s().durableLsn,
    );
    gaugeOf(
      r,
      'fsjournal_replica_upstream_lsn',
      'Newest durable LSN the primary announced',
      () => s().upstreamLsn,
    );
    gaugeOf(
      r,
      'fsjournal_replica_lag_records',
      'Records announced by the primary and not yet applied',
      () => s().lagRecords,
    );
    gaugeOf(
      r,
      'fsjournal_replica_lag_seconds',
      'Seconds since the replica was last caught up (0 when caught up)',
      () => s().lagMs / 1000,
    );
    labelledGaugeOf(
      r,
      {
        name: 'fsjournal_replica_state',
        help: 'The replica state: 1 for the current one, 0 for the others',
        labelNames: ['state'] as const,
      },
      () => {
        const now = s().state;
        return STATES.map((st) => [{ state: st }, st === now ? 1 : 0]);
      },
    );
    const progress = (k: 'filesDone' | 'filesTotal' | 'bytesDone' | 'bytesTotal'): number =>
      s().bootstrap?.[k] ?? 0;
    gaugeOf(
      r,
      'fsjournal_replica_bootstrap_files_done',
      'Bootstrap from a checkpoint: files written so far (0 when not bootstrapping)',
      () => progress('filesDone'),
    );
    gaugeOf(
      r,
      'fsjournal_replica_bootstrap_files_total',
      'Bootstrap from a checkpoint: files the checkpoint holds (0 when not bootstrapping)',
      () => progress('filesTotal'),
    );
    gaugeOf(
      r,
      'fsjournal_replica_bootstrap_bytes_done',
      'Bootstrap from a checkpoint: bytes of file content written so far (0 when not bootstrapping)',
      () => progress('bytesDone'),
    );
    gaugeOf(
      r,
      'fsjournal_replica_bootstrap_bytes_total',
      'Bootstrap from a checkpoint: bytes of file content the checkpoint holds (0 when not bootstrapping)',
      () => progress('bytesTotal'),
    );
    counterOf(
      r,
      {
        name: 'fsjournal_replica_bootstraps_total',
        help: 'Bootstraps from a checkpoint completed',
      },
      () => s().bootstraps,
    );
    counterOf(
      r,
      {
        name: 'fsjournal_replica_reconnects_total',
        help: 'Connections to the primary started again',
      },
      () => s().reconnects,
    );
    counterOf(
      r,
      {
        name: 'fsjournal_replica_skipped_records_total',
        help: 'Records skipped because their path was missing (replayed after a crash)',
      },
      () => s().skippedRecords,
    );
    const applied = new Counter({
      name: 'fsjournal_replica_applied_records_total',
      help: 'Records applied (in acknowledged batches)',
      registers: [r],
    });
    const applySeconds = new Histogram({
      name: 'fsjournal_replica_apply_seconds',
      help: 'Seconds to apply one batch (apply, fsync of what it touched, position persisted when due)',
      buckets: LATENCY_BUCKETS,
      registers: [r],
    });
    const errors = new Counter({
      name: 'fsjournal_replica_errors_total',
      help: 'Stream sessions that ended on an error, by code',
      labelNames: ['code'],
      registers: [r],
    });
    this.apiErrors = new Counter({
      name: 'fsjournal_api_errors_total',
      help: 'REST answers that were errors, by code',
      labelNames: ['code'],
      registers: [r],
    });
    this.unobserve = daemon.observe({
      onBatchApplied: (b) => {
        applied.inc(b.records);
        applySeconds.observe(b.seconds);
      },
      onError: (code) => errors.inc({ code }),
    });
  }

  apiError(code: string): void {
    this.apiErrors.inc({ code });
  }

  /** Stops observing the daemon. */
  close(): void {
    this.unobserve();
  }
}
