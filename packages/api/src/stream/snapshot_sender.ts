/**
 * The snapshot sender's reading half: checkpoint `base` cut into pieces of
 * at most about `pieceBytes` (its entries, and each file's stored blocks
 * read one at a time from the content store), for SnapshotPiece. Nothing is
 * read ahead of the piece being built: a piece is read when the session asks
 * for it (`start-snapshot`, `next-piece`), so neither side holds a whole file
 * in memory. Sequence numbers, the window of SNAPSHOT_WINDOW pieces and
 * SnapshotBegin / SnapshotEnd are the session's (`session.ts`).
 *
 * Blocks are sent as the store holds them; their SHA-256 is checked by the
 * store and again by the replica, not here.
 */
import type { CheckpointHeader, Checkpoints } from '@fsjournal/journal';
import { MAX_PIECE_ITEMS, type SnapshotItem } from '@fsjournal/journal/wire';
import type { SessionEvent } from './session.js';
import { snapshotEntry } from './snapshot_entry.js';

/** Bytes an entry costs in a piece besides its paths (protobuf fields, times). */
const ENTRY_OVERHEAD = 64;

/** What a checkpoint held, once every piece of it was read. */
export interface SnapshotTotals {
  entries: number;
  blocks: number;
}

/**
 * The pieces of checkpoint `base`, in order; returns the totals, or
 * undefined when `signal` aborted the reading (the pieces are then cut
 * short).
 */
export async function* snapshotPieces(
  cps: Checkpoints,
  base: CheckpointHeader,
  pieceBytes: number,
  signal: AbortSignal,
): AsyncGenerator<SnapshotItem[], SnapshotTotals | undefined> {
  let items: SnapshotItem[] = [];
  let bytes = 0;
  let entries = 0;
  let blocks = 0;
  /** The piece to yield after `it`, when `it` fills it. */
  const add = (it: SnapshotItem, size: number): SnapshotItem[] | undefined => {
    items.push(it);
    bytes += size;
    if (bytes < pieceBytes && items.length < MAX_PIECE_ITEMS) return undefined;
    const piece = items;
    items = [];
    bytes = 0;
    return piece;
  };
  for await (const e of cps.entries(base)) {
    if (signal.aborted) return undefined;
    const full = add(
      { kind: 'entry', entry: snapshotEntry(e) },
      ENTRY_OVERHEAD +
        Buffer.byteLength(e.path) +
        (e.type === 'symlink' ? Buffer.byteLength(e.target) : 0) +
        (e.type === 'hardlink' ? Buffer.byteLength(e.linkTo) : 0),
    );
    if (full) yield full;
    entries++;
    if (e.type !== 'file') continue;
    for (let i = 0; i < e.blocks.length; i++) {
      const name = e.blocks[i];
      if (!name) continue; // a hole: the size makes it
      // Read from the store, checked against its name there and on the replica.
      const data = await cps.content.get(name);
      const piece = add(
        { kind: 'block', block: { index: i, sha256: Buffer.from(name, 'hex'), data } },
        ENTRY_OVERHEAD + data.length,
      );
      if (piece) yield piece;
      blocks++;
      if (signal.aborted) return undefined;
    }
  }
  if (items.length > 0) yield items;
  if (signal.aborted) return undefined;
  return { entries, blocks };
}

/**
 * Carries out the session's snapshot actions on one connection: reads the
 * next piece when asked and hands it (or the totals, or the failure) to
 * `deliver`. Once `signal` aborts it delivers nothing more and closes the
 * checkpoint file.
 */
export class SnapshotSender {
  private pieces: AsyncGenerator<SnapshotItem[], SnapshotTotals | undefined> | undefined;

  constructor(
    private readonly cps: Checkpoints,
    private readonly pieceBytes: number,
    private readonly signal: AbortSignal,
    private readonly deliver: (e: SessionEvent) => void,
  ) {
    signal.addEventListener('abort', () => void this.pieces?.return(undefined).catch(() => {}), {
      once: true,
    });
  }

  /** Opens checkpoint `base` and reads its first piece. */
  start(base: CheckpointHeader): void {
    this.pieces = snapshotPieces(this.cps, base, this.pieceBytes, this.signal);
    this.next();
  }

  /** Reads the next piece. */
  next(): void {
    this.pieces!.next().then(
      (r) => {
        if (this.signal.aborted) return;
        if (!r.done) this.deliver({ type: 'piece', items: r.value });
        else if (r.value) this.deliver({ type: 'snapshot-read', ...r.value });
      },
      (error: unknown) => {
        if (!this.signal.aborted) this.deliver({ type: 'sender-failed', error });
      },
    );
  }
}
