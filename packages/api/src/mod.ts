/**
 * @fsjournal/api: the fastify apps of both roles (REST, metrics, OpenAPI, the
 * dashboard, the WebSocket stream endpoint) and the primary daemon that
 * wires journal, capture and server.
 */
export { startPrimary, type PrimaryOptions, type PrimaryHandle } from './primary.js';
export { buildPrimaryApp, type PrimaryAppOptions, type PrimaryStatus } from './primary_app.js';
export { buildReplicaApp } from './replica_app.js';
export { ReplicaRegistry, type ReplicaRow } from './replica_registry.js';
export { attachStreamServer, type StreamServerOptions } from './stream/server.js';
export { tokenMatches } from './stream/auth.js';
export { ApiError, API_ERROR_CODES, type ApiErrorCode } from './errors.js';
export { PrimaryMetrics } from './primary_metrics.js';
export {
  JournalSupervisor,
  type JournalHealth,
  type JournalSupervisorOptions,
} from './journal_supervisor.js';
export { ReplicaMetrics } from './replica_metrics.js';
