/**
 * The watch manifest on disk (`manifest.bin`): loading it and bringing it
 * forward over the records journaled after it was saved, aborting a
 * transaction a previous run left open, and saving it with the LSN it
 * reflects, skipping a save that would write what is already there.
 *
 * The store does not know when a save is safe: the capture saves only
 * between processing rounds, once the journal is flushed (a save mid-round
 * could pair a manifest with an LSN its records have not reached).
 */
import type { Journal } from '../../store/journal.js';
import type { Logger } from '../../logger.js';
import { Manifest } from '../../tree/manifest.js';
import { RecordKind, type RecordBody } from '../../record/record.js';

/**
 * Whether a saved manifest at `lsn` can be brought forward over the journal:
 * the journal still holds every record after it, and none before it is
 * missing from it.
 */
export function manifestUsable(lsn: number, firstLsn: number, lastLsn: number): boolean {
  return lsn <= lastLsn && lsn >= firstLsn - 1;
}

/**
 * Replays journal records in order, holding those of a transaction until it
 * commits: records of a transaction count only once committed. Pure: it
 * says which records take effect, the caller applies them. What a record
 * does to the manifest never depends on its data, so held records keep none
 * (a transaction can be as large as a file).
 */
const NO_DATA = new Uint8Array(0);

export class TxnReplay {
  private readonly open = new Map<number, RecordBody[]>();

  /**
   * The records that take effect at the LSN of `r`: `r` itself, nothing (a
   * transaction marker, or a record held in an open transaction), or, when
   * `r` is a TXN_COMMIT, the records its transaction held.
   */
  offer(r: RecordBody): RecordBody[] {
    if (r.kind === RecordKind.RECORD_KIND_TXN_BEGIN) this.open.set(r.txn, []);
    else if (r.kind === RecordKind.RECORD_KIND_TXN_ABORT) this.open.delete(r.txn);
    else if (r.kind === RecordKind.RECORD_KIND_TXN_COMMIT) {
      const held = this.open.get(r.txn) ?? [];
      this.open.delete(r.txn);
      return held;
    } else if (r.txn && this.open.has(r.txn)) {
      if (r.data.length > 0) r.data = NO_DATA;
      this.open.get(r.txn)!.push(r);
    } else return [r];
    return [];
  }

  /** Transactions begun and neither committed nor aborted so far, in the order begun. */
  openTxns(): number[] {
    return [...this.open.keys()];
  }
}

/** Loads and saves one capture's manifest.bin, remembering what it holds. */
export class ManifestStore {
  /** The manifest's revision and LSN as `manifest.bin` holds them (-1: not saved yet). */
  private savedRevision = -1;
  private savedLsn = -1;
  /** When a save was last asked for (ms since the epoch; 0: never). */
  lastSave = 0;

  constructor(
    private readonly journal: Journal,
    /** Path of manifest.bin. */
    readonly path: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** Forgets what manifest.bin holds: the next save writes it whatever it holds. */
  forget(): void {
    this.savedRevision = -1;
    this.savedLsn = -1;
  }

  /**
   * Loads manifest.bin and brings it forward over the journal; undefined when
   * there is none or it does not match the journal (the tree rebuilds it).
   * Either way a transaction the journal holds open is aborted (a TXN_ABORT
   * appended), so that replicas drop it and the manifest does not believe it.
   */
  async load(): Promise<Manifest | undefined> {
    const loaded = await Manifest.load(this.path, this.journal.journalId);
    const usable =
      loaded !== undefined &&
      manifestUsable(loaded.lsn, this.journal.firstLsn, this.journal.lastLsn);
    if (loaded && !usable) {
      this.logger?.warn(
        { manifestLsn: loaded.lsn, firstLsn: this.journal.firstLsn, lastLsn: this.journal.lastLsn },
        'manifest does not match the journal; rebuilding it from the tree',
      );
    }
    // The manifest is saved only between changes, so no transaction is open
    // at its LSN; without one, look at the whole journal for open ones.
    const from = usable ? loaded.lsn + 1 : this.journal.firstLsn;
    const target = usable ? loaded : undefined;
    if (target) {
      // What manifest.bin holds now; records replayed below move the revision.
      this.savedRevision = target.revision;
      this.savedLsn = target.lsn;
    }
    // A capture killed in the middle of a transaction leaves it open.
    const replay = new TxnReplay();
    let replayed = 0;
    for await (const e of this.journal.read({ fromLsn: from })) {
      for (const r of replay.offer(e.record)) target?.applyRecord(e.lsn, r);
      replayed++;
    }
    for (const txn of replay.openTxns()) {
      await this.journal.append({ kind: RecordKind.RECORD_KIND_TXN_ABORT, txn });
      this.logger?.warn({ txn }, 'aborted a transaction a previous run left open');
    }
    if (!target) return undefined;
    target.lsn = this.journal.lastLsn;
    if (replayed > 0) this.logger?.info({ replayed }, 'manifest brought forward over the journal');
    return target;
  }

  /**
   * Saves `manifest` with the journal's last LSN, which the caller has made
   * durable; skipped when neither the manifest nor the journal moved since
   * manifest.bin was written (a restart that found nothing to do rewrites
   * nothing).
   */
  async save(manifest: Manifest): Promise<void> {
    this.lastSave = Date.now();
    const lsn = this.journal.lastLsn;
    const revision = manifest.revision;
    if (revision === this.savedRevision && lsn === this.savedLsn) return;
    manifest.lsn = lsn;
    await manifest.save(this.path, this.journal.journalId);
    this.savedRevision = revision;
    this.savedLsn = lsn;
  }
}
