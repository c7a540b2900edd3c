import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file: string): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

// Tests import the packages' TypeScript sources directly; the integration
// tests under test/ spawn the built CLI (npm test runs `tsc -b` first).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@fsjournal\/(journal|replica|api)$/, replacement: src('$1', 'mod.ts') },
      { find: /^@fsjournal\/journal\/wire$/, replacement: src('journal', 'wire/mod.ts') },
      {
        find: /^@fsjournal\/(journal|replica|api)\/internal$/,
        replacement: src('$1', 'internal_mod.ts'),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
