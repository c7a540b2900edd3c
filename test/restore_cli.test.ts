/**
 * Checkpoints, annotations and restore as an operator meets them: a running
 * primary capturing a real tree, `fsjournal annotate` and `fsjournal
 * checkpoint --api`, `GET /v1/checkpoints`, then `fsjournal restore` (while
 * the primary keeps running) at the annotation and by LSN, each compared
 * with a copy of the tree taken at that moment; the offline `checkpoint`
 * refused while the primary holds the journal; bad flags exit 2 naming the
 * flag; a point past the end and a busy target exit 1 with their codes.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { barrier, http, runCli, useHarness, type Json } from './harness.js';

const harness = useHarness('restore');

describe('restore, checkpoint and annotate through the CLI', () => {
  it('restores a live primary’s tree at an annotation and at an LSN', async () => {
    const h = harness();
    const source = await h.dir('source');
    const journal = join(h.root, 'journal');
    const primary = await h.primary({ source, journal });

    await mkdir(join(source, 'app/conf'), { recursive: true });
    await writeFile(join(source, 'app/conf/settings.ini'), 'mode=old\n');
    await writeFile(join(source, 'app/data.bin'), Buffer.alloc(200_000, 7));
    const lsn1 = await barrier(primary.url);
    execFileSync('cp', ['-a', source, join(h.root, 'snap1')]);

    const cp = await runCli(['checkpoint', '--api', primary.url, '--json']);
    expect(cp.code, cp.stderr).toBe(0);
    const info = JSON.parse(cp.stdout) as Json;
    expect(info).toMatchObject({ files: 2, dirs: 2 });
    expect(info.lsn as number).toBeGreaterThanOrEqual(lsn1);

    await writeFile(join(source, 'app/conf/settings.ini'), 'mode=new\n');
    await rename(join(source, 'app/data.bin'), join(source, 'data-moved.bin'));
    await barrier(primary.url);
    execFileSync('cp', ['-a', source, join(h.root, 'snap2')]);
    const note = await runCli(['annotate', '--api', primary.url, '--text', 'before upgrade']);
    expect(note.code, note.stderr).toBe(0);

    await rm(join(source, 'app'), { recursive: true });
    await writeFile(join(source, 'after.txt'), 'after the upgrade\n');
    const lsn3 = await barrier(primary.url);
    execFileSync('cp', ['-a', source, join(h.root, 'snap3')]);

    const list = await http<Json[]>(`${primary.url}/v1/checkpoints`);
    expect(list.status).toBe(200);
    expect(list.body.map((c) => c.id)).toEqual([info.id]);

    const atNote = join(h.root, 'at-note');
    const r1 = await runCli([
      'restore',
      '--journal',
      journal,
      '--to',
      atNote,
      '--at',
      'before upgrade',
      '--json',
    ]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(JSON.parse(r1.stdout)).toMatchObject({ by: 'annotation', checkpoint: info.id });
    expect(await compareTrees(join(h.root, 'snap2'), atNote, { owner: true })).toEqual([]);

    const atLsn = join(h.root, 'at-lsn');
    const r2 = await runCli([
      'restore',
      '--journal',
      journal,
      '--to',
      atLsn,
      '--lsn',
      String(lsn3),
    ]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(new RegExp(`^restored lsn ${lsn3} `));
    expect(await compareTrees(join(h.root, 'snap3'), atLsn, { owner: true })).toEqual([]);

    const early = join(h.root, 'early');
    const r3 = await runCli([
      'restore',
      '--journal',
      journal,
      '--to',
      early,
      '--lsn',
      String(lsn1),
    ]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(await compareTrees(join(h.root, 'snap1'), early, { owner: true })).toEqual([]);

    // The annotation and the checkpoint are in the audit log with their text.
    const log = await runCli([
      'log',
      '--journal',
      journal,
      '--op',
      'ANNOTATE,CHECKPOINT',
      '--json',
    ]);
    expect(log.code, log.stderr).toBe(0);
    const rows = log.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
    expect(rows.map((r) => [r.op, r.text])).toEqual([
      ['CHECKPOINT', info.id],
      ['ANNOTATE', 'before upgrade'],
    ]);

    // The running primary holds the journal: offline checkpoints are refused.
    const offline = await runCli(['checkpoint', '--journal', journal]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/use --api/);

    // Past the end, and into a busy folder: exit 1 with the reason's code.
    const past = await runCli([
      'restore',
      '--journal',
      journal,
      '--to',
      join(h.root, 'past'),
      '--lsn',
      String(lsn3 + 1_000_000),
    ]);
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/FSJ_ERR_RESTORE_RANGE/);
    const busy = await runCli(['restore', '--journal', journal, '--to', atLsn, '--lsn', '1']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/FSJ_ERR_RESTORE_TARGET/);
  }, 90_000);

  it('checkpoints a stopped primary’s journal offline', async () => {
    const h = harness();
    const source = await h.dir('source');
    const journal = join(h.root, 'journal');
    const primary = await h.primary({ source, journal });
    await writeFile(join(source, 'a.txt'), 'a\n');
    await barrier(primary.url);
    await primary.kill('SIGTERM');
    const cp = await runCli(['checkpoint', '--journal', journal]);
    expect(cp.code, cp.stderr).toBe(0);
    expect(cp.stdout).toMatch(/^cp-\d+ at lsn \d+: 1 files, 0 directories/);
  }, 60_000);

  it('refuses a --to in, around or beside the journal, or in the live source, even with --force', async () => {
    const h = harness();
    const source = await h.dir('source');
    const journal = join(h.root, 'journal');
    const primary = await h.primary({ source, journal });
    await writeFile(join(source, 'keep.txt'), 'kept\n');
    const lsn = await barrier(primary.url);
    const journalFiles = (await readdir(journal)).sort();
    const sourceFiles = (await readdir(source)).sort();
    const cases: [string, RegExp][] = [
      [journal, /is the journal folder/],
      [join(journal, 'segments'), /is inside the journal folder/],
      [join(journal, 'new-folder'), /is inside the journal folder/],
      [h.root, /contains the journal folder/],
      [source, /is the source of the running primary/],
      [join(source, 'restored'), /is inside the source of the running primary/],
      [`${journal}/../journal/segments/..`, /is the journal folder/],
      // A symlink to the journal is the journal.
      [join(h.root, 'alias'), /is the journal folder/],
      // A replica's state folder, and its target beside it (the default layout).
      [join(h.root, 'standby'), /is the target of replica standby-1/],
      [join(h.root, 'standby', 'sub'), /is inside the target of replica standby-1/],
      [join(h.root, 'standby.fsjournal-state'), /is the state folder of replica standby-1/],
    ];
    await symlink(journal, join(h.root, 'alias'));
    await h.dir('standby');
    await h.dir('standby.fsjournal-state');
    await writeFile(
      join(h.root, 'standby.fsjournal-state', 'position.json'),
      JSON.stringify({ replicaId: 'standby-1', journalId: '', appliedLsn: 0 }),
    );
    for (const [to, why] of cases) {
      const r = await runCli([
        'restore',
        '--journal',
        journal,
        '--to',
        to,
        '--lsn',
        String(lsn),
        '--force',
      ]);
      expect(r.code, `${to}: ${r.stderr}`).toBe(1);
      expect(r.stderr, to).toMatch(/FSJ_ERR_RESTORE_TARGET/);
      expect(r.stderr, to).toMatch(why);
    }
    // Nothing was emptied, and the primary goes on.
    expect((await readdir(journal)).sort()).toEqual(journalFiles);
    expect((await readdir(source)).sort()).toEqual(sourceFiles);
    await writeFile(join(source, 'after.txt'), 'after\n');
    expect(await barrier(primary.url)).toBeGreaterThan(lsn);
    const ok = await runCli([
      'restore',
      '--journal',
      journal,
      '--to',
      join(h.root, 'elsewhere'),
      '--lsn',
      String(lsn),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
  }, 60_000);

  it('refuses bad restore and checkpoint flags with exit 2 naming them', async () => {
    const cases: [string[], RegExp][] = [
      [['restore', '--journal', 'j', '--to', 't'], /--at and --lsn/],
      [['restore', '--journal', 'j', '--to', 't', '--lsn', 'banana'], /--lsn/],
      [['restore', '--journal', 'j', '--to', 't', '--lsn', '3', '--at', '1h'], /--at and --lsn/],
      [['restore', '--to', 't', '--lsn', '3'], /--journal/],
      [['checkpoint'], /--journal and --api/],
      [['checkpoint', '--api', 'ftp://x'], /--api/],
      [
        ['primary', '--source', 's', '--journal', 'j', '--checkpoint-every', 'lots'],
        /--checkpoint-every/,
      ],
    ];
    for (const [args, names] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(names);
    }
  });
});
