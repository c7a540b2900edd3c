/**
 * The replay window of a replica: the records applied since its durable
 * position, which a restart applies again over whatever part of their
 * effects reached the disk. Replaying them is safe as long as no record's
 * replay acts on something other than what it acted on the first time; a
 * record that would break that "conflicts" with the window, and the
 * position must be made durable right before it (docs/PROTOCOL.md,
 * "Replay windows").
 *
 * Paths are related when equal, or one is an ancestor of the other. A
 * record X conflicts with the window when:
 * 1. X creates q (CREATE, MKDIR, SYMLINK at q, the destination q of a
 *    RENAME or LINK) and the window removed (UNLINK, RMDIR) a path related
 *    to q: replayed, the removal would take away what X made again;
 * 2. X creates or removes q and the window holds a RENAME or LINK with an
 *    end related to q: replayed, the move would take or leave the wrong thing;
 * 3. X is a RENAME or LINK a -> b and the window touched b or below it, or
 *    below a, or created or removed an ancestor of a or b: replayed, those
 *    records would act on what X moved there or away (a record at `a`
 *    itself is safe: its replay comes before X's);
 * 4. X is a CREATE or SYMLINK at p and the window touched something below p
 *    (a folder replaced by a file: the replay would remove what came after).
 * Content and attribute records, and removals after removals, never
 * conflict: an `rm -rf` or a `tar -x` is one window.
 *
 * Every query costs the depth of the path, not the size of the window.
 */
import { RecordKind, type JournalEntry } from '../record/record.js';

/** What one applied record did to paths. */
export interface PathEffect {
  /** Paths it created (or replaced). */
  creates: string[];
  /** Paths it removed. */
  removes: string[];
  /** The ends of a RENAME or LINK. */
  moves: string[];
  /** Every path it acted on (all of the above, and content or attributes). */
  touches: string[];
}

const NONE: PathEffect = { creates: [], removes: [], moves: [], touches: [] };

/** The effect of one record on paths (a record held in a transaction has none until its commit). */
export function pathEffect(r: JournalEntry['record']): PathEffect {
  switch (r.kind) {
    case RecordKind.RECORD_KIND_CREATE:
    case RecordKind.RECORD_KIND_MKDIR:
    case RecordKind.RECORD_KIND_SYMLINK:
      return { creates: [r.path], removes: [], moves: [], touches: [r.path] };
    case RecordKind.RECORD_KIND_UNLINK:
    case RecordKind.RECORD_KIND_RMDIR:
      return { creates: [], removes: [r.path], moves: [], touches: [r.path] };
    case RecordKind.RECORD_KIND_RENAME:
      return {
        creates: [r.path2],
        removes: [r.path],
        moves: [r.path, r.path2],
        touches: [r.path, r.path2],
      };
    case RecordKind.RECORD_KIND_LINK:
      return {
        creates: [r.path2],
        removes: [],
        moves: [r.path, r.path2],
        touches: [r.path, r.path2],
      };
    case RecordKind.RECORD_KIND_WRITE:
    case RecordKind.RECORD_KIND_TRUNCATE:
    case RecordKind.RECORD_KIND_CHMOD:
    case RecordKind.RECORD_KIND_CHOWN:
    case RecordKind.RECORD_KIND_UTIMES:
    case RecordKind.RECORD_KIND_SETXATTR:
      return { creates: [], removes: [], moves: [], touches: [r.path] };
    default:
      return NONE;
  }
}

/** The strict ancestors of a record path ('' is the root, an ancestor of every other path). */
function ancestors(path: string): string[] {
  if (path === '') return [];
  const out = [''];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1))
    out.push(path.slice(0, i));
  return out;
}

/** A multiset of paths that answers "is anything here related to q" in O(depth). */
class PathSet {
  private readonly at = new Map<string, number>();
  /** Strict ancestors of the paths held, counted. */
  private readonly under = new Map<string, number>();

  add(path: string, by: 1 | -1): void {
    bump(this.at, path, by);
    for (const a of ancestors(path)) bump(this.under, a, by);
  }

  /** Holds q itself. */
  has(q: string): boolean {
    return this.at.has(q);
  }

  /** Holds something strictly below q. */
  below(q: string): boolean {
    return this.under.has(q);
  }

  /** Holds a strict ancestor of q. */
  above(q: string): boolean {
    return ancestors(q).some((a) => this.at.has(a));
  }

  /** Holds q, an ancestor or a descendant of it. */
  related(q: string): boolean {
    return this.has(q) || this.below(q) || this.above(q);
  }
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n <= 0) m.delete(key);
  else m.set(key, n);
}

export class ReplayWindow {
  private readonly removed = new PathSet();
  private readonly moved = new PathSet();
  private readonly touched = new PathSet();
  /** Created or removed. */
  private readonly reshaped = new PathSet();
  /** What was added, oldest first from `head`, to be taken out again by `closeThrough`. */
  private effects: { lsn: number; effect: PathEffect }[] = [];
  private head = 0;

  /** Records in the window. */
  get size(): number {
    return this.effects.length - this.head;
  }

  /** Whether applying a record with `effect` now would make the window unsafe to replay. */
  conflicts(effect: PathEffect): boolean {
    if (this.size === 0) return false;
    for (const q of effect.creates) if (this.removed.related(q)) return true;
    for (const q of [...effect.creates, ...effect.removes]) if (this.moved.related(q)) return true;
    if (effect.moves.length === 2) {
      const [a, b] = effect.moves as [string, string];
      if (this.touched.below(a) || this.touched.has(b) || this.touched.below(b)) return true;
      if (this.reshaped.above(a) || this.reshaped.above(b)) return true;
    } else {
      for (const p of effect.creates) if (this.touched.below(p)) return true;
    }
    return false;
  }

  /** Notes what a record applied at `lsn` did. */
  add(lsn: number, effect: PathEffect): void {
    if (effect.touches.length === 0) return;
    this.effects.push({ lsn, effect });
    this.apply(effect, 1);
  }

  /** The position is durable through `lsn`: those records will not be replayed. */
  closeThrough(lsn: number): void {
    while (this.head < this.effects.length && this.effects[this.head]!.lsn <= lsn) {
      this.apply(this.effects[this.head++]!.effect, -1);
    }
    if (this.head > 1024 && this.head * 2 > this.effects.length) {
      this.effects = this.effects.slice(this.head);
      this.head = 0;
    }
  }

  private apply(e: PathEffect, by: 1 | -1): void {
    for (const p of e.removes) if (!e.moves.includes(p)) this.removed.add(p, by);
    for (const p of e.moves) this.moved.add(p, by);
    for (const p of e.touches) this.touched.add(p, by);
    for (const p of [...e.creates, ...e.removes]) this.reshaped.add(p, by);
  }
}

/** The combined effect of records applied together (a transaction). */
export function combinedEffect(entries: readonly JournalEntry[]): PathEffect {
  const out: PathEffect = { creates: [], removes: [], moves: [], touches: [] };
  for (const e of entries) {
    const x = pathEffect(e.record);
    out.creates.push(...x.creates);
    out.removes.push(...x.removes);
    out.touches.push(...x.touches);
    // Moves are pairs; a transaction with one keeps its own persist before and after.
  }
  return out;
}
