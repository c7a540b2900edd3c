/** The README's first command: `fsjournal demo` replicates live and ends identical. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { compareTrees, Journal, RecordKind } from '@fsjournal/journal';

const BIN = fileURLToPath(new URL('../packages/cli/bin/fsjournal.js', import.meta.url));

it(
  'fsjournal demo starts both roles, shows positions and the tail, and stops with an identical replica',
  { timeout: 120_000 },
  async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'fsj-demo-'));
    try {
      const r = spawnSync(process.execPath, [BIN, 'demo', '--duration', '3'], {
        cwd,
        encoding: 'utf8',
        timeout: 100_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('journal tail:');
      expect(r.stdout).toMatch(/replica {2}streaming {2}appliedLsn \d+/);
      expect(r.stdout).toMatch(/stopped\. replica identical to source at lsn \d+/);
      const [demo] = (await readdir(cwd)).filter((n) => n.startsWith('fsjournal-demo-'));
      expect(
        await compareTrees(join(cwd, demo!, 'source'), join(cwd, demo!, 'replica'), {
          owner: true,
        }),
      ).toEqual([]);
      // The sample changes include a directory move, journaled as one RENAME.
      const journal = await Journal.open({ dir: join(cwd, demo!, 'journal'), readOnly: true });
      const renames: string[] = [];
      for await (const e of journal.read()) {
        if (e.record.kind === RecordKind.RECORD_KIND_RENAME)
          renames.push(`${e.record.path}->${e.record.path2}`);
      }
      await journal.close();
      expect(renames).toContain('docs/drafts->docs/archive');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  },
);
