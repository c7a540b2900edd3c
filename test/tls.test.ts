/**
 * TLS end to end, with certificates the test makes (certs.ts): a primary
 * serving https and wss (--tls-cert, --tls-key), a replica following it
 * over wss with --tls-ca, and `wait`, `status`, `log --api` over https; a
 * wrong CA, an expired certificate and plaintext clients refused with
 * their codes; client certificates instead of a token, bound to the replica
 * id they name; a renewed certificate served after SIGHUP.
 */
import { writeFile, copyFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { makeCa, type Cert, type TestCa } from './certs.js';
import { runCli, useHarness, waitUntil, type Daemon, type Harness, type Json } from './harness.js';

const harness = useHarness('tls');

/** Waits until the replica's status shows an error whose code matches. */
async function failsWith(replica: Daemon, code: string): Promise<Json> {
  return waitUntil(`the replica to report ${code}`, async () => {
    const e = (await replica.status()).lastError as Json | null;
    return e?.code === code ? e : undefined;
  });
}

/** The serial number of the certificate the server at `port` presents now. */
function servedSerial(port: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      res(s.getPeerCertificate().serialNumber);
      s.end();
    });
    s.on('error', rej);
  });
}

/**
 * A primary serving `first` from files of its own, and a function that
 * installs `next` in their place and reloads (SIGHUP) until it is served.
 */
async function reloadablePrimary(
  h: Harness,
  ca: TestCa,
  first: Cert,
): Promise<{ primary: Daemon; install: (next: Cert) => Promise<void> }> {
  const cert = join(h.root, 'server.crt');
  const key = join(h.root, 'server.key');
  await copyFile(first.cert, cert);
  await copyFile(first.key, key);
  const primary = await h.primary({
    source: await h.dir('source'),
    journal: join(h.root, 'journal'),
    ca: ca.ca,
    args: ['--tls-cert', cert, '--tls-key', key],
  });
  const install = async (next: Cert): Promise<void> => {
    const before = await servedSerial(primary.port);
    await copyFile(next.cert, cert);
    await copyFile(next.key, key);
    process.kill(primary.pid!, 'SIGHUP');
    await waitUntil('the new certificate served', async () =>
      (await servedSerial(primary.port)) !== before ? true : undefined,
    );
  };
  return { primary, install };
}

describe('TLS', () => {
  it('replicates over wss, and wait, status and log --api work over https', async () => {
    const h = harness();
    const ca = await makeCa(await h.dir('ca'));
    const server = await ca.issue('127.0.0.1');
    const source = await h.dir('source');
    await writeFile(join(source, 'secret.txt'), 'over TLS only\n');
    const tokenFile = join(h.root, 'token');
    await writeFile(tokenFile, 'tls-token-3b1e\n');
    const primary = await h.primary({
      source,
      journal: join(h.root, 'journal'),
      tokenFile,
      ca: ca.ca,
      args: ['--tls-cert', server.cert, '--tls-key', server.key],
    });
    expect(primary.url).toMatch(/^https:/);
    const wss = `wss://127.0.0.1:${primary.port}/v1/stream`;
    const target = join(h.root, 'target');
    await h.replica({
      upstream: wss,
      target,
      id: 'r1',
      tokenFile,
      args: ['--tls-ca', ca.caFile],
    });
    const api = ['--api', primary.url, '--token-file', tokenFile, '--tls-ca', ca.caFile];
    await writeFile(join(source, 'later.txt'), 'after the replica started\n');
    const waited = await runCli(['wait', ...api, '--replica', 'r1']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(source, target)).toEqual([]);
    const status = await runCli(['status', ...api, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).replicas[0].id).toBe('r1');
    const log = await runCli(['log', ...api, '--json']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toMatch(/later\.txt/);

    // The CLI without the CA, or with another one, is refused with FSJ_ERR_CLI_TLS.
    const other = await makeCa(await h.dir('other-ca'), 'someone else');
    for (const ca2 of [[], ['--tls-ca', other.caFile]]) {
      const r = await runCli(['status', '--api', primary.url, '--token-file', tokenFile, ...ca2]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/FSJ_ERR_CLI_TLS/);
    }
    // Plaintext to the TLS port: refused, saying why.
    const plainCli = await runCli([
      'status',
      '--api',
      `http://127.0.0.1:${primary.port}`,
      '--token-file',
      tokenFile,
    ]);
    expect(plainCli.code).toBe(1);
    expect(plainCli.stderr).toMatch(/FSJ_ERR_CLI_API/);
    expect(plainCli.stderr).toMatch(/use https:\/\//);
    const plain = await h.replica({
      upstream: `ws://127.0.0.1:${primary.port}/v1/stream`,
      target: join(h.root, 'target-plain'),
      id: 'plain',
      tokenFile,
    });
    expect((await failsWith(plain, 'FSJ_ERR_REPLICA_UPSTREAM')).message).toMatch(/use wss:\/\//);
    // A replica trusting another CA.
    const wrong = await h.replica({
      upstream: wss,
      target: join(h.root, 'target-wrong'),
      id: 'wrong',
      tokenFile,
      args: ['--tls-ca', other.caFile],
    });
    expect((await failsWith(wrong, 'FSJ_ERR_REPLICA_TLS')).message).toMatch(/--tls-ca/);
  }, 90_000);

  it('refuses an expired certificate, and a TLS client to a plain primary', async () => {
    const h = harness();
    const ca = await makeCa(await h.dir('ca'));
    const good = await ca.issue('127.0.0.1');
    const old = await ca.issue('127.0.0.1', { expired: true });
    const { primary, install } = await reloadablePrimary(h, ca, good);
    // The operator installs a certificate that has expired and reloads.
    await install(old);
    const late = await h.replica({
      upstream: `wss://127.0.0.1:${primary.port}/v1/stream`,
      target: join(h.root, 'target-late'),
      id: 'late',
      args: ['--tls-ca', ca.caFile],
    });
    expect((await failsWith(late, 'FSJ_ERR_REPLICA_TLS')).message).toMatch(/CERT_HAS_EXPIRED/);
    const cli = await runCli(['status', '--api', primary.url, '--tls-ca', ca.caFile]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/FSJ_ERR_CLI_TLS/);
    expect(cli.stderr).toMatch(/CERT_HAS_EXPIRED/);

    const plainPrimary = await h.primary({
      source: await h.dir('source2'),
      journal: join(h.root, 'journal2'),
    });
    const toPlain = await h.replica({
      upstream: `wss://127.0.0.1:${plainPrimary.port}/v1/stream`,
      target: join(h.root, 'target-to-plain'),
      id: 'to-plain',
      args: ['--tls-ca', ca.caFile],
    });
    expect((await failsWith(toPlain, 'FSJ_ERR_REPLICA_TLS')).message).toMatch(/does not speak TLS/);
  }, 60_000);

  it('takes client certificates instead of a token, bound to the id they name', async () => {
    const h = harness();
    const ca = await makeCa(await h.dir('ca'));
    const server = await ca.issue('127.0.0.1');
    const r1 = await ca.issue('r1');
    const source = await h.dir('source');
    await writeFile(join(source, 'a.txt'), 'for r1\n');
    // The API's own clients still need a token (a client certificate is a replica's).
    const tokenFile = join(h.root, 'token');
    await writeFile(tokenFile, 'ops-token-91c2\n');
    const primary = await h.primary({
      source,
      journal: join(h.root, 'journal'),
      tokenFile,
      ca: ca.ca,
      args: ['--tls-cert', server.cert, '--tls-key', server.key, '--tls-client-ca', ca.caFile],
    });
    const wss = `wss://127.0.0.1:${primary.port}/v1/stream`;
    const target = join(h.root, 'target');
    const tls = ['--tls-ca', ca.caFile, '--tls-cert', r1.cert, '--tls-key', r1.key];
    await h.replica({ upstream: wss, target, id: 'r1', ca: ca.ca, args: tls });
    const api = ['--api', primary.url, '--token-file', tokenFile, '--tls-ca', ca.caFile];
    const waited = await runCli(['wait', ...api, '--replica', 'r1']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(source, target)).toEqual([]);
    // r1's certificate under another id is refused.
    const posing = await h.replica({
      upstream: wss,
      target: join(h.root, 'target-posing'),
      id: 'r2',
      ca: ca.ca,
      args: tls,
    });
    expect((await failsWith(posing, 'FSJ_ERR_REPLICA_UPSTREAM')).message).toMatch(
      /FSJ_ERR_PROTOCOL_IDENTITY/,
    );
    // No certificate and no token: 401.
    const none = await h.replica({
      upstream: wss,
      target: join(h.root, 'target-none'),
      id: 'r3',
      args: ['--tls-ca', ca.caFile],
    });
    await failsWith(none, 'FSJ_ERR_REPLICA_AUTH');
  }, 90_000);

  it('refuses half a TLS configuration with exit 2 naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['primary', '--source', 's', '--journal', 'j', '--tls-cert', 'c.pem'], /--tls-key/],
      [['primary', '--source', 's', '--journal', 'j', '--tls-client-ca', 'ca.pem'], /--tls-cert/],
      [
        ['replica', '--upstream', 'wss://h:1/v1/stream', '--target', 't', '--tls-key', 'k'],
        /--tls-cert/,
      ],
      [['status', '--api', 'https://h:1', '--tls-ca', '/no/such/ca.pem'], /--tls-ca/],
    ];
    for (const [args, names] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(names);
    }
  });

  it('serves a renewed certificate after SIGHUP, without a restart', async () => {
    const h = harness();
    const ca = await makeCa(await h.dir('ca'));
    const first = await ca.issue('127.0.0.1');
    const renewed = await ca.issue('127.0.0.1');
    const { primary, install } = await reloadablePrimary(h, ca, first);
    const before = await servedSerial(primary.port);
    await install(renewed);
    const after = await servedSerial(primary.port);
    expect(after).not.toBe(before);
    expect(primary.running).toBe(true);
    expect((await primary.status()).role).toBe('primary');
  }, 60_000);
});
