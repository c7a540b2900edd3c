/**
 * The replica's metrics: applied, durable and upstream LSN, lag in records
 * and seconds, apply latency per batch, reconnects, errors by code (the
 * stream's and the API's), and the state (one series per state, 1 for the
 * current one). Every series carries `replica="<id>"`.
 */
import { Registry, type Counter } from 'prom-client';
import type { ReplicaDaemon, ReplicaState } from '@fsjournal/replica';
import {
  apiErrorsCounter,
  counterIn,
  counterOf,
  gaugeOf,
  labelledGaugeOf,
  latencyHistogram,
} from './metrics.js';

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
      'fsjournal_replica_bootstraps_total',
      'Bootstraps from a checkpoint completed',
      () => s().bootstraps,
    );
    counterOf(
      r,
      'fsjournal_replica_reconnects_total',
      'Connections to the primary started again',
      () => s().reconnects,
    );
    counterOf(
      r,
      'fsjournal_replica_skipped_records_total',
      'Records skipped because their path was missing (replayed after a crash)',
      () => s().skippedRecords,
    );
    const applied = counterIn(
      r,
      'fsjournal_replica_applied_records_total',
      'Records applied (in acknowledged batches)',
    );
    const applySeconds = latencyHistogram(
      r,
      'fsjournal_replica_apply_seconds',
      'Seconds to apply one batch (apply, fsync of what it touched, position persisted when due)',
    );
    const errors = counterIn(
      r,
      'fsjournal_replica_errors_total',
      'Stream sessions that ended on an error, by code',
      ['code'],
    );
    this.apiErrors = apiErrorsCounter(r);
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
