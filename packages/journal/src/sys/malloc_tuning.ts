/**
 * What glibc's allocator keeps of freed memory, bounded for a daemon.
 *
 * Buffers (blocks read, frames encoded and sent, records received) are
 * malloc'd outside the V8 heap. glibc serves those above its mmap
 * threshold with mmap and gives them back when freed, but the threshold is
 * dynamic: after the first such free it rises to that size (up to 32 MiB),
 * and from then on buffers of up to that size come from the brk heap, where
 * freed space fragments and stays in RSS. Measured on a primary during
 * `bench/replicate.mjs`: RSS 290 MB while the V8 heap held 67 MB and
 * external memory 14 MB; 148 MB of it was the brk heap. With the threshold
 * fixed at 128 KiB, a 1 MiB trim threshold and two arenas (set here; the
 * same as the environment variables MALLOC_MMAP_THRESHOLD_,
 * MALLOC_TRIM_THRESHOLD_, MALLOC_ARENA_MAX), peak RSS went from 272 to
 * 217 MB (primary) and 200 to 187 MB (replica) on `tar-x`, 280 to 235 and
 * 189 to 168 MB on `bulk`, with no change in speed beyond the runs' noise.
 *
 * The calls come with the binding (mallopt); without it, or where the C
 * library is not glibc, nothing changes. Environment variables an operator
 * set win: they are read by glibc at start-up and this leaves them alone.
 */
import { fuseBinding } from './fuse_native.js';

const MMAP_THRESHOLD = 128 * 1024;
const TRIM_THRESHOLD = 1024 * 1024;
const ARENAS = 2;

/** Applies the daemon's allocator settings; true when they took. Call before the daemon's work starts. */
export function tuneMalloc(env: NodeJS.ProcessEnv = process.env): boolean {
  if (
    env.MALLOC_MMAP_THRESHOLD_ !== undefined ||
    env.MALLOC_TRIM_THRESHOLD_ !== undefined ||
    env.MALLOC_ARENA_MAX !== undefined
  )
    return false;
  const b = fuseBinding();
  // A binding built before this call existed has none: nothing changes.
  if (typeof b?.tuneMalloc !== 'function') return false;
  return b.tuneMalloc(MMAP_THRESHOLD, TRIM_THRESHOLD, ARENAS) === 1;
}
