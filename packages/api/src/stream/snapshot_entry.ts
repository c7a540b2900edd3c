/**
 * Checkpoint entries as the stream carries them. The entry shape is the
 * tree's one (`TreeEntry`, packages/journal/src/tree/entry.ts): a file's
 * entry sends the count of its stored blocks where the checkpoint names
 * them, and the checkpoint's root attributes become SnapshotBegin's `root`.
 * The stream's rules about entries are checked by the replica's decoder.
 */
import { withBlockCount, type CheckpointEntry, type CheckpointHeader } from '@fsjournal/journal';
import type { SnapshotEntry } from '@fsjournal/journal/wire';

/** A checkpoint entry as SnapshotPiece carries it. */
export function snapshotEntry(e: CheckpointEntry): SnapshotEntry {
  return withBlockCount(e);
}

/** SnapshotBegin's `root`: the checkpoint's root attributes as a DIR entry at path "", or null. */
export function snapshotRoot(
  root: CheckpointHeader['root'],
): Extract<SnapshotEntry, { type: 'dir' }> | null {
  return root ? { type: 'dir', path: '', ...root } : null;
}
