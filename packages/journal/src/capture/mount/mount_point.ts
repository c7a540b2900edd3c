/**
 * The mountpoint before a mount: is FUSE there at all, is the folder free,
 * and is a mount left by a crashed run in the way (then it is detached).
 * `parseMountInfo` is pure; the rest reads /proc and the folder.
 */
import { spawn } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { access, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { JournalError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/** The file-system type our mounts show in /proc/self/mountinfo (`subtype=fsjournal`). */
export const MOUNT_FSTYPE = 'fuse.fsjournal';

export interface MountInfoEntry {
  mountpoint: string;
  fstype: string;
  source: string;
}

/** Unescapes the octal escapes (`\040` for a space) mountinfo uses in paths. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/self/mountinfo: `id parent major:minor root mountpoint opts [tags] - fstype source superopts`. */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 5 || fields.length < dash + 3) continue;
    out.push({
      mountpoint: unescapeMountPath(fields[4]!),
      fstype: fields[dash + 1]!,
      source: unescapeMountPath(fields[dash + 2]!),
    });
  }
  return out;
}

/** The mounts at `dir`, newest last. */
export async function mountsAt(dir: string): Promise<MountInfoEntry[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return parseMountInfo(text).filter((m) => m.mountpoint === dir);
}

/** Detaches a mount lazily: `umount -l` as root, `fusermount3 -uz` otherwise. */
export async function detachMount(dir: string): Promise<void> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const [cmd, args] = root ? ['umount', ['-l', dir]] : ['fusermount3', ['-uz', dir]];
  await new Promise<void>((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', rej);
    child.on('close', (code) =>
      code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')}: ${err.trim() || code}`)),
    );
  });
}

/** True when `dir` answers like a FUSE mount whose daemon is gone. */
async function isDeadMount(dir: string): Promise<boolean> {
  try {
    await stat(dir);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTCONN' || code === 'ECONNABORTED' || code === 'EIO';
  }
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Makes `mountpoint` ready for a mount over `source`: /dev/fuse usable, the
 * two folders apart, the mountpoint an empty folder (created when missing),
 * and a stale fsjournal mount from a crashed run detached. Refuses a live
 * mount there with FSJ_ERR_MOUNT_BUSY.
 */
export async function prepareMountpoint(
  source: string,
  mountpoint: string,
  logger?: Logger,
  /** The FUSE device (tests point it elsewhere). */
  fuseDevice = '/dev/fuse',
): Promise<void> {
  const src = resolve(source);
  const mnt = resolve(mountpoint);
  try {
    await access(fuseDevice, fsc.R_OK | fsc.W_OK);
  } catch (cause) {
    throw new JournalError('FSJ_ERR_MOUNT_NO_FUSE', `${fuseDevice} is missing or not usable`, {
      cause,
    });
  }
  if (inside(mnt, src) || inside(src, mnt)) {
    throw new JournalError(
      'FSJ_ERR_MOUNT_OPTION',
      `mountpoint ${mnt} and source ${src} must not contain each other`,
    );
  }
  const srcStat = await stat(src).catch((cause: unknown) => {
    throw new JournalError('FSJ_ERR_MOUNT_OPTION', `source ${src}: not found`, { cause });
  });
  if (!srcStat.isDirectory()) {
    throw new JournalError('FSJ_ERR_MOUNT_OPTION', `source ${src}: not a directory`);
  }
  for (const m of (await mountsAt(mnt)).reverse()) {
    if (m.fstype === MOUNT_FSTYPE && (await isDeadMount(mnt))) {
      logger?.warn({ mountpoint: mnt }, 'stale fsjournal mount from an earlier run: detaching');
      try {
        await detachMount(mnt);
      } catch (cause) {
        throw new JournalError('FSJ_ERR_MOUNT_BUSY', `${mnt}: stale mount cannot be detached`, {
          cause,
        });
      }
      continue;
    }
    throw new JournalError(
      'FSJ_ERR_MOUNT_BUSY',
      `${mnt}: already a mountpoint (${m.fstype} ${m.source})`,
    );
  }
  const st = await stat(mnt).catch(async () => {
    await mkdir(mnt, { recursive: true });
    return stat(mnt);
  });
  if (!st.isDirectory()) {
    throw new JournalError('FSJ_ERR_MOUNT_OPTION', `mountpoint ${mnt}: not a directory`);
  }
  if ((await readdir(mnt)).length > 0) {
    throw new JournalError('FSJ_ERR_MOUNT_NOT_EMPTY', `mountpoint ${mnt}: not empty`);
  }
}
