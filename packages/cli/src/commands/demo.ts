/**
 * `fsjournal demo`: a primary and a replica on fresh folders under the
 * current directory, sample changes (a rename, a big file, a directory
 * move), then a live view of positions, lag and the journal tail until
 * Ctrl-C. Both daemons run in this process; their logs go to a file in the
 * demo folder so the terminal shows only the view.
 */
import { createWriteStream } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, rename, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { pino } from 'pino';
import { startPrimary, buildReplicaApp, type PrimaryHandle } from '@fsjournal/api';
import { compareTrees, kindName, type JournalEntry } from '@fsjournal/journal';
import { ReplicaDaemon } from '@fsjournal/replica';
import { parseSeconds } from '../args.js';
import type { CliIo } from '../program.js';

interface DemoFlags {
  duration?: number;
}

async function listenOn<T>(preferred: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(preferred);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0); // the usual port is taken: any free one
  }
}

async function sampleChanges(source: string): Promise<void> {
  await mkdir(join(source, 'docs/drafts'), { recursive: true });
  await writeFile(
    join(source, 'docs/readme.txt'),
    'fsjournal demo: every change here is journaled and replicated.\n',
  );
  await writeFile(
    join(source, 'docs/drafts/plan.md'),
    '# plan\n- capture\n- journal\n- replicate\n',
  );
  await writeFile(join(source, 'big.bin'), randomBytes(8 * 1024 * 1024));
  await symlink('docs/readme.txt', join(source, 'readme-link'));
  await new Promise((r) => setTimeout(r, 300));
  await rename(join(source, 'docs/drafts/plan.md'), join(source, 'docs/plan.md'));
  await rename(join(source, 'docs/drafts'), join(source, 'docs/archive'));
  await chmod(join(source, 'docs/readme.txt'), 0o600);
}

function tail(entries: JournalEntry[]): string[] {
  return entries.map((e) => {
    const r = e.record;
    const what = `${kindName(r.kind)} ${r.path}${r.path2 ? ` -> ${r.path2}` : ''}`;
    const extra = r.data?.length ? ` (${r.data.length} bytes at ${r.offset})` : '';
    return `  ${String(e.lsn).padStart(6)}  ${new Date(e.timeUs / 1000).toISOString().slice(11, 23)}  ${what}${extra}`;
  });
}

export function addDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'Start a primary and a replica on fresh folders here and show replication live (Ctrl-C stops).',
    )
    .option(
      '--duration <SECONDS>',
      'stop by itself after this long (for scripts and tests)',
      parseSeconds,
    )
    .addHelpText(
      'after',
      `
Examples:
  npx fsjournal demo
  npx fsjournal demo --duration 30 > demo.txt
`,
    )
    .action(async (flags: DemoFlags) => {
      const root = await mkdtemp(join(process.cwd(), 'fsjournal-demo-'));
      const source = join(root, 'source');
      const target = join(root, 'replica');
      await mkdir(source);
      const logPath = join(root, 'daemons.log');
      const logger = pino({ level: 'info' }, createWriteStream(logPath));
      const primary: PrimaryHandle = await listenOn(7070, (port) =>
        startPrimary({
          source,
          journalDir: join(root, 'journal'),
          host: '127.0.0.1',
          port,
          logger,
        }),
      );
      const api = `http://127.0.0.1:${primary.address.port}`;
      const replica = await ReplicaDaemon.start({
        upstream: `ws://127.0.0.1:${primary.address.port}/v1/stream`,
        target,
        id: 'demo-replica',
        logger,
        heartbeatMs: 1000,
      });
      const replicaApp = buildReplicaApp(replica);
      await listenOn(7071, (port) => replicaApp.listen({ host: '127.0.0.1', port }));
      const replicaAddr = replicaApp.server.address();
      const replicaApi = `http://127.0.0.1:${typeof replicaAddr === 'object' && replicaAddr ? replicaAddr.port : 7071}`;

      await sampleChanges(source);
      let tick = 0;
      const stopAt = flags.duration === undefined ? Infinity : Date.now() + flags.duration * 1000;
      let stopping = false;
      const onSignal = (): void => {
        stopping = true;
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const tty = process.stdout.isTTY === true;
      while (!stopping && Date.now() < stopAt) {
        // A live change every second, so there is always something to replicate.
        await appendFile(
          join(source, 'docs/live.log'),
          `tick ${++tick} at ${new Date().toISOString()}\n`,
        );
        await new Promise((r) => setTimeout(r, 1000));
        const j = primary.journal;
        const recent: JournalEntry[] = [];
        for await (const e of j.read({ fromLsn: Math.max(j.firstLsn, j.durableLsn - 7) }))
          recent.push(e);
        const s = replica.status();
        const row = primary.registry.row(s.id);
        const lines = [
          `fsjournal demo in ./${relative(process.cwd(), root)}  (Ctrl-C to stop)`,
          '',
          `  source   ${source}`,
          `  replica  ${target}`,
          `  primary API  ${api}/v1/status   replicas: ${api}/v1/replicas   stream: ws://127.0.0.1:${primary.address.port}/v1/stream`,
          `  dashboard    ${api}/   metrics: ${api}/metrics   API docs: ${api}/docs`,
          `  replica API  ${replicaApi}/v1/status   metrics: ${replicaApi}/metrics   (logs: ${logPath})`,
          '',
          `  primary  lastLsn ${j.lastLsn}  durableLsn ${j.durableLsn}`,
          `  replica  ${s.state}  appliedLsn ${s.appliedLsn}  durableLsn ${s.durableLsn}  lag ${row?.lagRecords ?? s.lagRecords} records, ${row?.lagBytes ?? 0} bytes, ${row?.lagMs ?? s.lagMs} ms`,
          '',
          '  journal tail:',
          ...tail(recent),
          '',
        ];
        io.out(tty ? `\x1b[2J\x1b[H${lines.join('\n')}\n` : `${lines.join('\n')}\n`);
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Let the replica catch up, then compare the trees before stopping.
      const lsn = await primary.capture.barrier('demo-end');
      await primary.registry.waitFor(replica.id, lsn, 10_000);
      await replica.waitForDurable(lsn, 10_000);
      const diffs = await compareTrees(source, target, { owner: true });
      await replicaApp.close();
      await replica.stop();
      await primary.close();
      io.out(
        diffs.length === 0
          ? `stopped. replica identical to source at lsn ${lsn}. Folders kept in ./${relative(process.cwd(), root)}\n`
          : `stopped. replica differs from source in ${diffs.length} place(s): ${JSON.stringify(diffs.slice(0, 5))}\n`,
      );
      if (diffs.length > 0) process.exitCode = 1;
    });
}
