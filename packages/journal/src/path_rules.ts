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

/** Why `path` breaks the rules, or undefined when it is fine. */
export function pathProblem(path: string, allowRoot: boolean): string | undefined {
  if (path === '') return allowRoot ? undefined : 'empty path';
  if (path.includes('\0')) return 'NUL in path';
  if (path.startsWith('/')) return 'absolute path';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return 'path too long';
  for (const part of path.split('/')) {
    if (part === '') return 'empty path component';
    if (part === '.' || part === '..') return `"${part}" component`;
  }
  return undefined;
}
