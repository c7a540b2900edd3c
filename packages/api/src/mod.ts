/**
 * @fsjournal/api: the fastify apps of both roles (REST, metrics, OpenAPI, the
 * dashboard, the WebSocket stream endpoint in stream/) and the primary daemon
 * that wires journal, capture and server. This is what the cli uses, and what
 * building an app in a test needs; the parts (the stream's session, the
 * journal supervisor, the replica's metrics) are `./internal`.
 */
export { startPrimary, type PrimaryOptions, type PrimaryHandle } from './primary.js';
export { buildPrimaryApp, type PrimaryAppOptions, type PrimaryStatus } from './primary_app.js';
export { buildReplicaApp } from './replica_app.js';
export { ReplicaRegistry, type ReplicaRow } from './replica_registry.js';
export { ServerTls, type ServerTlsFiles } from './tls.js';
export { Access, type AccessOptions, type Principal } from './access.js';
export { ApiError, API_ERROR_CODES, type ApiErrorCode } from './errors.js';
export { PrimaryMetrics } from './primary_metrics.js';
export type { JournalHealth } from './journal_supervisor.js';
