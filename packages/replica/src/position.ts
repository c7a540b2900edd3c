/**
 * The replica's durable position: which journal it follows and the highest
 * LSN whose effects are durable in the target. Written with the durable-file
 * helper (temp, fsync, rename, fsync dir), and only after the data it covers
 * has been fsynced.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdirDurable, writeFileDurable } from '@fsjournal/journal';
import { ReplicaError } from './errors.js';

export interface Position {
  /** The replica's name, chosen once and kept. */
  replicaId: string;
  /** The journal followed; empty before the first Welcome. */
  journalId: string;
  /** Every record up to this LSN is applied and durable in the target. */
  appliedLsn: number;
}

const FILE = 'position.json';

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
  return { replicaId: p.replicaId, journalId: p.journalId, appliedLsn: p.appliedLsn };
}

export async function savePosition(stateDir: string, p: Position): Promise<void> {
  await mkdirDurable(stateDir);
  await writeFileDurable(join(stateDir, FILE), `${JSON.stringify(p)}\n`);
}
