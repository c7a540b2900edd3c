/**
 * The Error for a failed call of the native binding, which answers -errno:
 * message `<what>: <CODE>`, `code` the errno's name (EIO when unknown),
 * `errno` the negative number, `syscall` the call.
 */
import { constants as osc } from 'node:os';

/** The `E...` code of an error from the OS or Node (`ENOENT`), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errnoError(
  syscall: string,
  what: string,
  res: number,
): Error & { code: string; errno: number; syscall: string } {
  const code = Object.entries(osc.errno).find(([, n]) => n === -res)?.[0] ?? 'EIO';
  return Object.assign(new Error(`${what}: ${code}`), { code, errno: res, syscall });
}
