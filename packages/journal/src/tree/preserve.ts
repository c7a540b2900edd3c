/**
 * What a replica applies of privileged content (`fsjournal replica
 * --preserve safe|privileged`, docs/security.md). A root replica that
 * honours whatever its primary sends lets whoever controls the primary (or
 * a user on it who can make a set-user-ID file in the source) plant a
 * set-user-ID root binary or a file capability on the standby. Under
 * `safe`, the default, a replica does not set:
 *
 * - the set-user-ID bit (04000) on anything, nor the set-group-ID bit
 *   (02000) on anything but a directory (there it only makes new entries
 *   inherit the group);
 * - extended attributes in the `security.` namespace (file capabilities,
 *   SELinux and SMACK labels, IMA) or the `trusted.` one.
 *
 * Each is reported (the path, what was left out, the record), never dropped
 * in silence. `privileged` applies everything as sent: for a standby of a
 * system tree whose primary is as trusted as the standby's root.
 */

export type PreservePolicy = 'safe' | 'privileged';

export const PRESERVE_POLICIES: readonly PreservePolicy[] = ['safe', 'privileged'];

/** Something a record asked for that the policy left out. */
export interface NotPreserved {
  /** Path in the tree. */
  path: string;
  /** What was left out, e.g. `set-user-ID bit (mode 4755 applied as 0755)`. */
  what: string;
  /** The record's LSN (0 for a snapshot entry). */
  lsn: number;
}

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/**
 * The mode `mode` is applied as under `policy`, and what was left out (or
 * undefined when nothing was).
 */
export function allowedMode(
  policy: PreservePolicy,
  mode: number,
  isDir: boolean,
): { mode: number; left?: string } {
  if (policy === 'privileged') return { mode };
  const strip = isDir ? S_ISUID : S_ISUID | S_ISGID;
  if ((mode & strip) === 0) return { mode };
  const kept = mode & ~strip;
  const bits = [mode & S_ISUID ? 'set-user-ID' : '', !isDir && mode & S_ISGID ? 'set-group-ID' : '']
    .filter(Boolean)
    .join(' and ');
  const oct = (m: number) => (m & 0o7777).toString(8).padStart(4, '0');
  return { mode: kept, left: `${bits} bit (mode ${oct(mode)} applied as ${oct(kept)})` };
}

/** Whether `policy` leaves out an extended attribute named `name`. */
export function leavesOutXattr(policy: PreservePolicy, name: string): boolean {
  return policy === 'safe' && (name.startsWith('security.') || name.startsWith('trusted.'));
}
