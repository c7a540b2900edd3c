/** Internals reachable for tests, benchmarks and sibling packages; not a stable API. */
export * from './mod.js';
export * from './record/frame.js';
export * from './store/segment.js';
export * from './store/segment_scan.js';
export * from './store/sparse_index.js';
export * from './store/journal_dir.js';
export { encodeRecord, decodeRecord, recordProblem, isKnownKind } from './record/record.js';
export { toAuditRecord, QUERY_PARAMS, type QueryParam } from './audit/query.js';
export { fsyncDir } from './sys/durable_file.js';
export { resolveAt } from './history/restore.js';
export { SyncGate } from './capture/mount/sync_gate.js';
export { injectJournalFaults, type JournalFaultHook, type JournalIoStep } from './store/faults.js';
// The store's pure decisions, for their table tests.
export { appendRefusal, batchSize, needsRoll } from './store/segment_writer.js';
export { readStartProblem } from './store/reader.js';
export { segmentFileNames, stopProblem, tornTailProblem } from './store/open.js';
export { recoveredScanProblem, strayNames } from './store/recovery.js';
export {
  approxBytesAfter,
  canReleaseOldest,
  oldestSealedEnd,
  segmentAtTime,
  segmentFor,
  type Segment,
} from './store/segment_list.js';
export * from './tree/manifest.js';
export * from './capture/watch/reconcile.js';
export { eventPaths, ignoreMatcher } from './capture/watch/intake.js';
export { fenceRound, idleReached, roundOrder } from './capture/watch/dirty_set.js';
export {
  dueRemovals,
  nextWindowDelay,
  waitsFromRound,
  type Removal,
} from './capture/watch/rename_window.js';
export { manifestUsable, TxnReplay } from './capture/watch/manifest_store.js';
export { ChangeWriter, type RecordSink } from './capture/watch/change_writer.js';
export {
  blockUnchanged,
  contentAttributes,
  openingRecords,
  blockWrites,
} from './capture/watch/content_reader.js';
export { listingStands } from './capture/watch/rescan.js';
export * from './history/content_store.js';
export * from './tree/model.js';
export * from './tree/txn_gate.js';
export * from './tree/spool.js';
export * from './capture/mount/mount_point.js';
export * from './sys/fuse_native.js';
export { errnoOf, journalPath } from './capture/mount/dispatch.js';
export {
  operationRecords,
  writeRecords,
  type Operation,
} from './capture/mount/operation_records.js';
export { lostOf, type Lost } from './capture/mount/rejournal.js';
export * from './sys/xattr.js';
export { parentOf } from './record/path_rules.js';
export * from './tree/attrs.js';
export * from './tree/entry.js';
export * from './tree/writer.js';
export { syncfsAvailable } from './sys/syncfs.js';
