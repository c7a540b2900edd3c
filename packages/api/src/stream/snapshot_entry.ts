/**
 * Checkpoint entries as the stream carries them: a checkpoint's entry (its
 * attributes with `[sec, nsec]` times) becomes a `SnapshotEntry` of
 * SnapshotPiece, and a checkpoint's root attributes the `root` of
 * SnapshotBegin. Pure conversions; the stream's rules about entries (paths,
 * modes, sizes) are checked by the replica's decoder, not here.
 */
import type { CheckpointEntry, CheckpointHeader } from '@fsjournal/journal';
import type { SnapshotEntry } from '@fsjournal/journal/wire';

type Attrs = Pick<
  Extract<CheckpointEntry, { type: 'dir' }>,
  'mode' | 'uid' | 'gid' | 'atime' | 'mtime'
>;

function attrs(a: Attrs): {
  mode: number;
  uid: number;
  gid: number;
  atime: { sec: number; nsec: number };
  mtime: { sec: number; nsec: number };
} {
  return {
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    atime: { sec: a.atime[0], nsec: a.atime[1] },
    mtime: { sec: a.mtime[0], nsec: a.mtime[1] },
  };
}

/** A checkpoint entry as the stream carries it (a file's entry counts its stored blocks, not its holes). */
export function snapshotEntry(e: CheckpointEntry): SnapshotEntry {
  if (e.type === 'hardlink') return { type: 'hardlink', path: e.path, linkTo: e.linkTo };
  const a = attrs(e);
  if (e.type === 'dir') return { type: 'dir', path: e.path, ...a };
  if (e.type === 'symlink')
    return {
      type: 'symlink',
      path: e.path,
      uid: a.uid,
      gid: a.gid,
      atime: a.atime,
      mtime: a.mtime,
      target: e.target,
    };
  return {
    type: 'file',
    path: e.path,
    ...a,
    size: e.size,
    blocks: e.blocks.filter((b) => b !== null).length,
  };
}

/** SnapshotBegin's `root`: the checkpoint's root attributes as a DIR entry at path "", or null. */
export function snapshotRoot(
  root: CheckpointHeader['root'],
): Extract<SnapshotEntry, { type: 'dir' }> | null {
  return root ? { type: 'dir', path: '', ...attrs(root) } : null;
}
