/**
 * Who made a change through the mount: the uid, gid and pid libfuse gives
 * with each request, and the command name, read from /proc/<pid>/comm.
 *
 * Not guaranteed: the command name is the process's as it is when read (a
 * process that exec'd or exited meanwhile gives another name, or ""), and a
 * name is cached for a second per pid, so a pid reused within that second
 * keeps the name of the process before it.
 */
import { readFileSync } from 'node:fs';

/** How long a command name read from /proc is reused for the same pid. */
const COMM_TTL_MS = 1000;
/** More pids than this in the cache: it is emptied. */
const COMM_CACHE_MAX = 4096;

/** The caller of one request, as journaled in its records' `cred`. */
export interface Caller {
  uid: number;
  gid: number;
  pid: number;
  /** The command name ("" when unknown). */
  comm: string;
}

/** Looks callers up, keeping command names briefly per pid. */
export class Callers {
  private readonly comms = new Map<number, { comm: string; at: number }>();

  /** The caller with these ids, its command name looked up. */
  of(uid: number, gid: number, pid: number): Caller {
    return { uid, gid, pid, comm: this.comm(pid) };
  }

  /** The command name of `pid` from /proc/<pid>/comm, cached briefly; "" when unknown. */
  comm(pid: number): string {
    if (pid <= 0) return '';
    const now = Date.now();
    const hit = this.comms.get(pid);
    if (hit && now - hit.at < COMM_TTL_MS) return hit.comm;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
    } catch {
      comm = '';
    }
    if (this.comms.size > COMM_CACHE_MAX) this.comms.clear();
    this.comms.set(pid, { comm, at: now });
    return comm;
  }
}
