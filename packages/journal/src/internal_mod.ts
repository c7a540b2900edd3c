/** Internals reachable for tests, benchmarks and sibling packages; not a stable API. */
export * from './mod.js';
export * from './record/frame.js';
export * from './store/segment.js';
export * from './store/segment_scan.js';
export * from './store/sparse_index.js';
export * from './store/journal_dir.js';
export { encodeRecord, decodeRecord, recordProblem, isKnownKind } from './record/record.js';
export {
  toEntry,
  injectJournalFaults,
  type JournalFaultHook,
  type JournalIoStep,
} from './store/journal.js';
export * from './tree/manifest.js';
export * from './capture/watch/reconcile.js';
export * from './history/content_store.js';
export * from './tree/model.js';
export * from './tree/txn_gate.js';
export * from './capture/mount/mount_point.js';
export * from './sys/fuse_native.js';
export { errnoOf, journalPath, lostOf, writeRecords } from './capture/mount/mount_capture.js';
export { parentOf } from './record/path_rules.js';
export * from './tree/attrs.js';
export * from './tree/entry.js';
export * from './tree/writer.js';
