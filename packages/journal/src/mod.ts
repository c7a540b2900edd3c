/**
 * @fsjournal/journal: the record schema, the durable segmented journal
 * (store/), watch and mount capture (capture/), the tree (model, applier,
 * writer, comparison: tree/), checkpoints, restore and retention (history/)
 * and audit queries (audit/). This is the face the replica, api and cli
 * packages use; the stream protocol is `@fsjournal/journal/wire`, and
 * everything else is reachable for tests through `./internal` only.
 * docs/architecture.md says where each concept lives.
 */
export { Journal } from './store/journal.js';
export { SYNC_POLICIES, type JournalOptions, type SyncPolicy } from './store/options.js';
export { type Appended } from './store/segment_writer.js';
export { type JournalObserver } from './store/observer.js';
export { type JournalRecovery } from './store/recovery.js';
export { readCaptureInfo, writeCaptureInfo, type CaptureInfo } from './store/journal_dir.js';
export { REPLICA_POSITION_FILE, REPLICA_STATE_SUFFIX } from './history/keep_out.js';
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
export { toEntry } from './store/reader.js';
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
  type QueryInput,
  type JournalQuery,
  type AuditRecord,
} from './audit/query.js';
export { pathProblem } from './record/path_rules.js';
export { writeFileDurable, mkdirDurable } from './sys/durable_file.js';
export {
  WatchCapture,
  type WatchCaptureOptions,
  type CaptureStats,
} from './capture/watch/watch_capture.js';
export { TreeApplier } from './tree/applier.js';
export {
  allowedMode,
  PRESERVE_POLICIES,
  type NotPreserved,
  type PreservePolicy,
} from './tree/preserve.js';
export { InlineFs, InlineFile, type InlineFsOptions } from './sys/inline_fs.js';
export { syncFileSystem, syncfsCovers } from './sys/syncfs.js';
export { Beneath, type Place } from './sys/beneath.js';
export { tuneMalloc } from './sys/malloc_tuning.js';
export { TreeWriter, FileSink, emptyDir, type WriteRefusal } from './tree/writer.js';
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
  type RestoreOptions,
  type RestoreResult,
  type RestoreProgress,
} from './history/restore.js';
export { Retention, type RetentionOptions, type RetentionPass } from './history/retention.js';
export type { Capture } from './capture/capture.js';
export { MountCapture, type MountCaptureOptions } from './capture/mount/mount_capture.js';
export { type MountStats } from './capture/mount/dispatch.js';
export {
  type ReplicaWaiter,
  type SyncReplicationOptions,
  type SyncReplicationStatus,
} from './capture/mount/sync_gate.js';
