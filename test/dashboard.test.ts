/**
 * The dashboard at GET / in a real browser: Debian's headless Chromium
 * (/usr/bin/chromium, never a downloaded browser) driven by playwright-core,
 * against a real primary and replica. A person opens the page, changes a
 * file on the source, and sees the replica caught up at the primary's
 * position, the new path in the journal tail (as text: a path is never
 * HTML), the lag chart, and an annotation they add with the form. A
 * screenshot is kept in test-artifacts/dashboard.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { pairSetup, runCli, useHarness, waitUntil } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const harness = useHarness('dashboard');

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

/** The cells of the replica's row, as the page shows them. */
async function replicaRow(page: Page, id: string): Promise<string[]> {
  return page.locator(`#replicas tbody tr[data-replica="${id}"] td`).allTextContents();
}

// Skipped only where Debian's chromium is not installed (.ci/run installs it).
describe.skipIf(!existsSync(CHROMIUM))(`the dashboard in Chromium (${CHROMIUM})`, () => {
  it(
    'shows the replica caught up, the new record in the journal tail, the lag chart and a new annotation',
    { timeout: 90_000 },
    async () => {
      const pair = await pairSetup(harness());
      const primary = await pair.startPrimary();
      await pair.startReplica();

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        // Chromium's sandbox cannot start as root (CI runs as root).
        args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      });
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      page.on('request', (req) => {
        if (!req.url().startsWith(primary.url)) problems.push(`request elsewhere: ${req.url()}`);
      });
      await page.goto(`${primary.url}/`);
      await expect(page.title()).resolves.toBe('fsjournal primary');

      // A change on the source, with a name that would be markup if it were parsed as HTML.
      const name = 'q3 <img src=x onerror="document.title=1"> & notes.txt';
      await writeFile(join(pair.source, name), 'quarterly numbers\n');
      expect((await runCli(['wait', '--api', primary.url, '--timeout', '30'])).code).toBe(0);
      const durable = (await primary.status()).durableLsn as number;

      const row = await waitUntil('the replica row, caught up at the durable LSN', async () => {
        const cells = await replicaRow(page, 'r1');
        return cells[3] === String(durable) ? cells : undefined;
      });
      expect(row[0]).toBe('r1');
      expect(row[1]).toBe('caught up');
      expect(row[2]).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(row.slice(3, 8)).toEqual([String(durable), String(durable), '0', '0', '0']);

      const tail = page.locator('#tail tbody td.path');
      await waitUntil('the new path in the journal tail', async () =>
        (await tail.allTextContents()).includes(name),
      );
      // Shown as text: no element was made from the name.
      expect(await page.locator('#tail img').count()).toBe(0);

      // The chart: uPlot draws on a canvas, with a legend naming the replica.
      await expect(page.locator('#lag-chart canvas').count()).resolves.toBeGreaterThan(0);
      await expect(page.locator('#lag-chart .u-legend').textContent()).resolves.toContain('r1');

      // An operator marks the moment; the list shows it.
      await page.fill('#annotation-text', 'before <i>upgrade</i>');
      await page.click('#annotate button');
      await waitUntil('the annotation listed', async () =>
        (await page.locator('#annotations li').allTextContents()).some((t) =>
          t.endsWith(': before <i>upgrade</i>'),
        ),
      );
      expect(await page.locator('#annotations i').count()).toBe(0);
      await expect(page.locator('#problem').isHidden()).resolves.toBe(true);

      // The annotation is replicated too: caught up again before the picture.
      const last = (await primary.status()).durableLsn as number;
      await waitUntil('the replica caught up with the annotation', async () => {
        const cells = await replicaRow(page, 'r1');
        return cells[1] === 'caught up' && cells[3] === String(last);
      });
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(problems).toEqual([]);
    },
  );

  it(
    'with --token-file asks the browser for the token, then works with it as the password',
    { timeout: 60_000 },
    async () => {
      const h = harness();
      const tokenFile = join(h.root, 'token');
      await writeFile(tokenFile, 'dash-token-51c0\n');
      const primary = await h.primary({
        source: await h.dir('source'),
        journal: join(h.root, 'journal'),
        tokenFile,
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      });
      // No credentials: the page answers 401 asking for Basic; a headless
      // browser cannot show the prompt, so the load fails.
      const anonymous = await browser.newPage();
      await expect(anonymous.goto(`${primary.url}/`)).rejects.toThrow(
        /ERR_INVALID_AUTH_CREDENTIALS/,
      );
      // What a person types into the browser's prompt: any name, the token.
      const context = await browser.newContext({
        httpCredentials: { username: 'ops', password: 'dash-token-51c0' },
      });
      const page = await context.newPage();
      const failed: string[] = [];
      page.on('response', (res) => {
        if (res.status() >= 400) failed.push(`HTTP ${res.status()}: ${res.url()}`);
      });
      await page.goto(`${primary.url}/`);
      await expect(page.title()).resolves.toBe('fsjournal primary');
      await page.fill('#annotation-text', 'signed in');
      await page.click('#annotate button');
      await waitUntil('the annotation listed', async () =>
        (await page.locator('#annotations li').allTextContents()).some((t) =>
          t.endsWith(': signed in'),
        ),
      );
      expect(failed).toEqual([]);
    },
  );
});
