/**
 * @fsjournal/journal: the record schema, the durable segmented journal and
 * (in later modules) capture, checkpoints, restore and audit.
 */
export { Journal } from './store/journal.js';
export { SYNC_POLICIES, type JournalOptions, type SyncPolicy } from './store/options.js';
export { type Appended } from './store/segment_writer.js';
export { type JournalObserver } from './store/observer.js';
export { type JournalRecovery } from './store/recovery.js';
export { type ReadOptions } from './store/reader.js';
export { type Logger, silentLogger } from './logger.js';
export {
  RecordKind,
  kindName,
  kindFromName,
  MAX_WRITE_DATA,
  type JournalEntry,
  type RecordBody,
  type RecordInput,
} from './record/record.js';
export {
  JournalError,
  isJournalError,
  JOURNAL_ERROR_CODES,
  type JournalErrorCode,
} from './errors.js';
export { parseDuration, parseTime, formatTimeUs } from './time.js';
export {
  parseQuery,
  queryJournal,
  queryErrorParam,
  toAuditRecord,
  QUERY_PARAMS,
  type QueryInput,
  type QueryParam,
  type JournalQuery,
  type AuditRecord,
} from './audit/query.js';
export { pathProblem } from './record/path_rules.js';
export { writeFileDurable, fsyncDir, mkdirDurable } from './sys/durable_file.js';
export {
  WatchCapture,
  type WatchCaptureOptions,
  type CaptureStats,
} from './capture/watch/watch_capture.js';
export { TreeApplier } from './tree/applier.js';
export { compareTrees, type TreeDifference, type CompareOptions } from './tree/diff.js';
export {
  Checkpoints,
  replayStart,
  type CheckpointInfo,
  type CheckpointHeader,
  type CheckpointEntry,
} from './history/checkpoint.js';
export { withBlockCount } from './tree/entry.js';
export {
  restoreTree,
  resolveAt,
  type RestoreOptions,
  type RestoreResult,
  type RestoreProgress,
} from './history/restore.js';
export { Retention, type RetentionOptions, type RetentionPass } from './history/retention.js';
export type { Capture } from './capture/capture.js';
export { MountCapture, type MountCaptureOptions } from './capture/mount/mount_capture.js';
export { type MountStats } from './capture/mount/dispatch.js';
export {
  SyncGate,
  type ReplicaWaiter,
  type SyncReplicationOptions,
  type SyncReplicationStatus,
} from './capture/mount/sync_gate.js';
export { loadFuseBinding } from './sys/fuse_native.js';
