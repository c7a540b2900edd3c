/** Internals of @fsjournal/api for tests; not a stable API. */
export * from './mod.js';
export { attachStreamServer, type StreamServerOptions } from './stream/server.js';
export { presentedToken, hostName } from './access.js';
export { upgradeRefusal, type UpgradeRefusal } from './stream/auth.js';
export * from './stream/session.js';
export { snapshotEntry, snapshotRoot } from './stream/snapshot_entry.js';
export { JournalSupervisor, type JournalSupervisorOptions } from './journal_supervisor.js';
export { ReplicaMetrics } from './replica_metrics.js';
