/**
 * libuv's thread pool runs every `fs` call; its default of 4 threads lets
 * only 4 fsyncs, reads or writes wait on the disk at once. The replica keeps
 * dozens of records in flight and fsyncs a group's files together, which
 * pays only with more threads: they wait on the disk, not on the CPU.
 * Imported first by the entry point, before anything starts the pool (it
 * reads the variable once, at its first task). An operator's own setting wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '32';
