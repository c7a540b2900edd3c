/** Internals reachable for tests, benchmarks and sibling packages; not a stable API. */
export * from './mod.js';
export * from './frame.js';
export * from './segment.js';
export * from './segment_scan.js';
export * from './sparse_index.js';
export * from './journal_dir.js';
export { encodeRecord, decodeRecord, recordProblem, isKnownKind } from './record.js';
export {
  toEntry,
  injectJournalFaults,
  type JournalFaultHook,
  type JournalIoStep,
} from './journal.js';
export * from './manifest.js';
export * from './reconcile.js';
export * from './content_store.js';
export * from './tree_model.js';
export * from './txn_gate.js';
export * from './mount_point.js';
export * from './fuse_native.js';
export { errnoOf, journalPath, lostOf, parentOf, writeRecords } from './mount_capture.js';
export { utimeSeconds } from './tree_applier.js';
