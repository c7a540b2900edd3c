/**
 * @fsjournal/journal: the record schema, the durable segmented journal and
 * (in later modules) capture, checkpoints, restore and audit.
 */
export {
  Journal,
  SYNC_POLICIES,
  type Appended,
  type JournalLogger,
  type JournalObserver,
  type JournalOptions,
  type JournalRecovery,
  type ReadOptions,
  type SyncPolicy,
} from './journal.js';
export {
  RecordKind,
  kindName,
  kindFromName,
  MAX_WRITE_DATA,
  type JournalEntry,
  type RecordBody,
  type RecordInput,
} from './record.js';
export {
  JournalError,
  isJournalError,
  JOURNAL_ERROR_CODES,
  type JournalErrorCode,
} from './errors.js';
export {
  parseQuery,
  parseTime,
  formatTimeUs,
  queryJournal,
  queryErrorParam,
  toAuditRecord,
  QUERY_PARAMS,
  type QueryInput,
  type QueryParam,
  type JournalQuery,
  type AuditRecord,
} from './audit.js';
export { pathProblem } from './path_rules.js';
export { writeFileDurable, fsyncDir, mkdirDurable } from './durable_file.js';
export { WatchCapture, type WatchCaptureOptions, type CaptureStats } from './watch_capture.js';
export { TreeApplier } from './tree_applier.js';
export { compareTrees, type TreeDifference, type CompareOptions } from './tree_diff.js';
export {
  Checkpoints,
  replayStart,
  type CheckpointInfo,
  type CheckpointHeader,
  type CheckpointEntry,
} from './checkpoint.js';
export {
  restoreTree,
  resolveAt,
  type RestoreOptions,
  type RestoreResult,
  type RestoreProgress,
} from './restore.js';
export { Retention, type RetentionOptions, type RetentionPass } from './retention.js';
export type { Capture } from './capture.js';
export { MountCapture, type MountCaptureOptions, type MountStats } from './mount_capture.js';
export {
  SyncGate,
  type ReplicaWaiter,
  type SyncReplicationOptions,
  type SyncReplicationStatus,
} from './sync_gate.js';
export { loadFuseBinding } from './fuse_native.js';
