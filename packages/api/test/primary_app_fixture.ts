/**
 * The primary's app built over a real journal in a temp folder, without
 * capture, for tests that exercise it with inject() (STYLE.md 13): watch
 * mode over a source it never reads (`/srv/data`). Open it in a beforeEach,
 * close it in the afterEach.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Journal } from '@fsjournal/journal';
import { buildPrimaryApp, ReplicaRegistry } from '@fsjournal/api';

/** What a test gets: the temp folder, the journal (sync `batch`), the registry and the ready app. */
export interface PrimaryAppFixture {
  dir: string;
  journal: Journal;
  registry: ReplicaRegistry;
  app: FastifyInstance;
}

/** Makes a temp folder named `prefix`..., opens a journal in it and builds the app, ready. */
export async function openPrimaryApp(prefix: string): Promise<PrimaryAppFixture> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const journal = await Journal.open({ dir: join(dir, 'journal'), sync: 'batch' });
  const registry = new ReplicaRegistry(journal);
  const app = buildPrimaryApp({ journal, registry, mode: 'watch', source: '/srv/data' });
  await app.ready();
  return { dir, journal, registry, app };
}

/** Closes the app, flushes the registry, closes the journal, removes the folder. */
export async function closePrimaryApp(f: PrimaryAppFixture): Promise<void> {
  await f.app.close();
  await f.registry.flush();
  await f.journal.close();
  await rm(f.dir, { recursive: true, force: true });
}
