/**
 * The replica's durable position: which journal it follows and the highest
 * LSN whose effects are durable in the target. Written with the durable-file
 * helper (temp, fsync, rename, fsync dir), and only after the data it covers
 * has been fsynced.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdirDurable, REPLICA_POSITION_FILE, writeFileDurable } from '@fsjournal/journal';
import { ReplicaError } from './errors.js';

export interface Position {
  /** The replica's name, chosen once and kept. */
  replicaId: string;
  /** The journal followed; empty before the first Welcome. */
  journalId: string;
  /** Every record up to this LSN is applied and durable in the target. */
  appliedLsn: number;
  /**
   * Set while a snapshot is being written into the target (docs/PROTOCOL.md,
   * "Bootstrap"): the target is not a tree of any LSN. A replica that finds
   * it at start empties the target and starts over as new.
   */
  bootstrap?: { journalId: string; checkpointId: string; lsn: number };
  /**
   * After a bootstrap from a checkpoint at `skipThrough` whose transactions
   * `keepTxns` were open: records up to `skipThrough` are in the target
   * already, except those of `keepTxns`, which are replayed. Dropped once
   * `appliedLsn` reaches `skipThrough`.
   */
  skipThrough?: number;
  keepTxns?: number[];
}

const FILE = REPLICA_POSITION_FILE;

export async function loadPosition(stateDir: string): Promise<Position | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ReplicaError('FSJ_ERR_REPLICA_STATE', `read ${FILE}`, { cause: err });
  }
  let p: Partial<Position>;
  try {
    p = JSON.parse(text) as Partial<Position>;
  } catch (cause) {
    throw new ReplicaError('FSJ_ERR_REPLICA_STATE', `${FILE}: not JSON`, { cause });
  }
  if (
    typeof p.replicaId !== 'string' ||
    typeof p.journalId !== 'string' ||
    typeof p.appliedLsn !== 'number' ||
    !Number.isSafeInteger(p.appliedLsn) ||
    p.appliedLsn < 0
  ) {
    throw new ReplicaError('FSJ_ERR_REPLICA_STATE', `${FILE}: missing or bad fields`);
  }
  const out: Position = {
    replicaId: p.replicaId,
    journalId: p.journalId,
    appliedLsn: p.appliedLsn,
  };
  const b = p.bootstrap;
  if (b !== undefined) {
    if (
      typeof b !== 'object' ||
      b === null ||
      typeof b.journalId !== 'string' ||
      typeof b.checkpointId !== 'string' ||
      !Number.isSafeInteger(b.lsn)
    )
      throw new ReplicaError('FSJ_ERR_REPLICA_STATE', `${FILE}: bad bootstrap field`);
    out.bootstrap = { journalId: b.journalId, checkpointId: b.checkpointId, lsn: b.lsn };
  }
  if (p.skipThrough !== undefined) {
    if (
      !Number.isSafeInteger(p.skipThrough) ||
      !Array.isArray(p.keepTxns) ||
      !p.keepTxns.every((t) => Number.isSafeInteger(t))
    )
      throw new ReplicaError('FSJ_ERR_REPLICA_STATE', `${FILE}: bad skipThrough or keepTxns`);
    out.skipThrough = p.skipThrough;
    out.keepTxns = p.keepTxns;
  }
  return out;
}

export async function savePosition(stateDir: string, p: Position): Promise<void> {
  await mkdirDurable(stateDir);
  await writeFileDurable(join(stateDir, FILE), `${JSON.stringify(p)}\n`);
}

/** The position of a new replica (and of one emptied by a resync or a cut bootstrap). */
export function newPosition(replicaId: string): Position {
  return { replicaId, journalId: '', appliedLsn: 0 };
}
