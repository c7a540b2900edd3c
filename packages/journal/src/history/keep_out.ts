/**
 * The folders a restore must keep out of: `restore --to DIR --force`
 * empties DIR first, so a DIR that is, holds or lies inside one of them
 * would destroy it (docs/security.md, "Restore keeps out of what it reads
 * from"). Refused with FSJ_ERR_RESTORE_TARGET before anything is touched:
 *
 * - the journal folder restored from;
 * - while a primary has that journal open (`LOCK` names a live process),
 *   the source and mountpoint it records in `capture.json`;
 * - a replica's state folder (a folder holding `position.json` with a
 *   replica id), and a replica's target where its state folder is the
 *   default sibling `<target>.fsjournal-state`. A state folder elsewhere
 *   (`--state`) does not name its target: that target is not recognised.
 *
 * Paths are compared after resolving symlinks (a `--to` that does not exist
 * yet by its nearest existing ancestor).
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { JournalError } from '../errors.js';
import { lockOwner, readCaptureInfo } from '../store/journal_dir.js';

/** The suffix of a replica's default state folder, beside its target (replica.ts). */
export const REPLICA_STATE_SUFFIX = '.fsjournal-state';
/** The file of a replica's state folder that holds its position (replica/position.ts). */
export const REPLICA_POSITION_FILE = 'position.json';

/** The real path of `p`, or of its nearest existing ancestor with the rest joined on. */
async function realOrIntended(p: string): Promise<string> {
  const rest: string[] = [];
  let at = resolve(p);
  for (;;) {
    try {
      return join(await realpath(at), ...rest.reverse());
    } catch {
      const parent = dirname(at);
      if (parent === at) return resolve(p);
      rest.push(basename(at));
      at = parent;
    }
  }
}

const within = (x: string, y: string): boolean =>
  x === y || x.startsWith(y.endsWith(sep) ? y : y + sep);

/** The replica id of the state folder `dir`, or undefined when it is not one. */
async function stateOf(dir: string): Promise<string | undefined> {
  try {
    const p = JSON.parse(await readFile(join(dir, REPLICA_POSITION_FILE), 'utf8')) as {
      replicaId?: unknown;
    };
    return typeof p.replicaId === 'string' ? p.replicaId : undefined;
  } catch {
    return undefined;
  }
}

function refused(to: string, how: string, what: string, dir: string): JournalError {
  return new JournalError(
    'FSJ_ERR_RESTORE_TARGET',
    `--to ${to} ${how} ${what} (${dir}): restore into a folder of its own`,
  );
}

/** Throws FSJ_ERR_RESTORE_TARGET when `to` must not be restored into (see above). */
export async function refuseOverlap(to: string, journalDir: string): Promise<void> {
  const target = await realOrIntended(to);
  const guarded: [string, string][] = [[await realOrIntended(journalDir), 'the journal folder']];
  if ((await lockOwner(journalDir)) !== undefined) {
    const capture = await readCaptureInfo(journalDir);
    if (capture) {
      guarded.push([await realOrIntended(capture.source), 'the source of the running primary']);
      if (capture.mountpoint !== undefined) {
        const mp = await realOrIntended(capture.mountpoint);
        guarded.push([mp, 'the mountpoint of the running primary']);
      }
    }
  }
  for (const [dir, what] of guarded) {
    if (within(target, dir)) throw refused(to, target === dir ? 'is' : 'is inside', what, dir);
    if (within(dir, target)) throw refused(to, 'contains', what, dir);
  }
  // A replica's state folder or (default layout) target, at `to` or above it.
  for (let at = target; ; at = dirname(at)) {
    const id = await stateOf(at);
    if (id !== undefined) {
      const how = at === target ? 'is' : 'is inside';
      throw refused(to, how, `the state folder of replica ${id}`, at);
    }
    const beside = `${at}${REPLICA_STATE_SUFFIX}`;
    const owner = await stateOf(beside);
    if (owner !== undefined) {
      const how = at === target ? 'is' : 'is inside';
      throw refused(to, how, `the target of replica ${owner} (its state: ${beside})`, at);
    }
    if (dirname(at) === at) break;
  }
  // One that `to` holds directly (a --force would empty it).
  const names = await readdir(target).catch(() => [] as string[]);
  for (const name of names) {
    const id = await stateOf(join(target, name));
    if (id !== undefined) {
      throw refused(to, 'contains', `the state folder of replica ${id}`, join(target, name));
    }
  }
}
