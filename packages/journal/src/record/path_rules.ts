/**
 * The rules every path in a record obeys, shared by the writer (refuse to
 * journal a bad path) and every reader (refuse to act on one). A record path
 * is relative to the journaled tree's root, uses `/` as separator, and names
 * no component `.`, `..` or empty; it holds no NUL. The root itself is `""`.
 * Whether a path crosses a symlink on some disk is not a property of the path
 * and is checked where the path meets that disk (the replica's applier).
 */

/** Longest path accepted, in UTF-8 bytes (Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;

/** Why `path` breaks the rules, or undefined when it is fine. One pass, no allocation. */
export function pathProblem(path: string, allowRoot: boolean): string | undefined {
  if (path === '') return allowRoot ? undefined : 'empty path';
  if (path.charCodeAt(0) === 0x2f) return 'absolute path';
  // UTF-8 needs at most 3 bytes per UTF-16 unit: only long paths need counting.
  if (path.length > MAX_PATH_BYTES / 3 && Buffer.byteLength(path) > MAX_PATH_BYTES)
    return 'path too long';
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    const c = i === path.length ? 0x2f : path.charCodeAt(i);
    if (c === 0) return 'NUL in path';
    if (c !== 0x2f) continue;
    const len = i - start;
    if (len === 0) return 'empty path component';
    if (
      len <= 2 &&
      path.charCodeAt(start) === 0x2e &&
      (len === 1 || path.charCodeAt(start + 1) === 0x2e)
    ) {
      return `"${path.slice(start, i)}" component`;
    }
    start = i + 1;
  }
  return undefined;
}

/** The folder holding a record path (`""`, the root, for top-level paths). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
