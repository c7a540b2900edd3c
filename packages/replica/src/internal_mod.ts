/** Internals of @fsjournal/replica for tests; not a stable API. */
export * from './mod.js';
export * from './position.js';
export * from './snapshot_writer.js';
export * from './session.js';
export * from './reconnection.js';
export { applyFailure, errnoCode, isStreamFailure, type StreamFailure } from './errors.js';
