/** Internals of @fsjournal/api for tests; not a stable API. */
export * from './mod.js';
export * from './stream/session.js';
export { upgradeRefusal, type UpgradeRefusal } from './stream/auth.js';
export { snapshotEntry, snapshotRoot } from './stream/snapshot_entry.js';
