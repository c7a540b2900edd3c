/** Internals of @fsjournal/api for tests; not a stable API. */
export * from './mod.js';
