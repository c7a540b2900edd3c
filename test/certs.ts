/**
 * Certificates for the TLS tests, made by each test run with Debian's
 * openssl (never committed keys): a CA, certificates it signs for a name
 * (SAN IP:127.0.0.1 and DNS:localhost, CN the name: a replica id for a
 * client certificate), and one whose validity ended in 2020.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Cert {
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** The CA certificate (PEM file) and its content. */
  caFile: string;
  ca: Buffer;
  /** A certificate and key signed by this CA for `name`, valid 30 days (or in 2020 when `expired`). */
  issue(name: string, o?: { expired?: boolean }): Promise<Cert>;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const CA_CONFIG = `[ca]
default_ca = test
[test]
database = db/index.txt
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = copy
[any]
commonName = supplied
`;

/** A new CA in `dir`, named `name`. */
export async function makeCa(dir: string, name = 'fsjournal test CA'): Promise<TestCa> {
  await mkdir(join(dir, 'db'), { recursive: true });
  await writeFile(join(dir, 'db/index.txt'), '');
  await writeFile(join(dir, 'db/serial'), '1000\n');
  await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
  ]);
  let n = 0;
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    ca: await readFile(join(dir, 'ca.crt')),
    async issue(cn, o = {}) {
      const base = `${cn}-${++n}`;
      openssl(dir, [
        'req',
        ...ec,
        '-keyout',
        `${base}.key`,
        '-out',
        `${base}.csr`,
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ]);
      const dates = o.expired
        ? ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']
        : ['-days', '30'];
      openssl(dir, [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-cert',
        'ca.crt',
        '-keyfile',
        'ca.key',
        '-in',
        `${base}.csr`,
        '-out',
        `${base}.crt`,
        ...dates,
      ]);
      return { cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`) };
    },
  };
}
