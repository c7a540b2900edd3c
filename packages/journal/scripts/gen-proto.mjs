// Regenerates packages/journal/schema/fsjournal.{js,d.ts} from proto/fsjournal.proto
// with protobufjs-cli, then makes 64-bit fields plain numbers: the journal never
// holds a value above 2^53 (LSNs, offsets, sizes, seconds; nanoseconds travel in a separate field).
// Run with `npm run proto`; a test checks the committed output is current.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const out = `${pkg}schema/fsjournal.js`;
const pbjs = fileURLToPath(import.meta.resolve('protobufjs-cli/bin/pbjs'));

export function generate(target = out) {
  execFileSync(
    process.execPath,
    [
      pbjs,
      ...['-t', 'static-module', '-w', 'esm', '--dependency', './protobuf_runtime.js'],
      ...['--no-delimited', '--no-typeurl', '--no-verify', '--no-convert'],
      ...['-o', target, '-d', `${pkg}proto/fsjournal.proto`],
    ],
    { stdio: 'inherit' },
  );
  const dts = target.replace(/\.js$/, '.d.ts');
  const text = readFileSync(dts, 'utf8')
    .replace(/^import Long = require\("long"\);\n/m, '')
    .replaceAll('number|Long', 'number');
  writeFileSync(dts, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generate();
