/** The token, Host and Origin checks of `Access` (REST and stream upgrades alike). */
import { describe, expect, it } from 'vitest';
import { Access } from '@fsjournal/api';
import { hostName, presentedToken } from '@fsjournal/api/internal';

const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('presentedToken', () => {
  it.each([
    ['Bearer s3cret', 's3cret'],
    ['bearer s3cret', 's3cret'],
    ['BEARER   s3cret', 's3cret'],
    ['Bearer s3cret ', 's3cret'],
    [basic('ops:s3cret'), 's3cret'],
    [basic(':s3cret'), 's3cret'],
    [basic('s3cret'), undefined],
    ['s3cret', undefined],
    ['Bearer ', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j', (header, token) => {
    expect(presentedToken(header)).toBe(token);
  });
});

describe('hostName', () => {
  it.each([
    ['127.0.0.1:7070', '127.0.0.1'],
    ['[::1]:7070', '::1'],
    ['[::1]', '::1'],
    ['::1', '::1'],
    ['Primary.Internal:80', 'primary.internal'],
    ['primary', 'primary'],
  ])('%s -> %s', (host, name) => {
    expect(hostName(host)).toBe(name);
  });
});

describe('Access', () => {
  const tokens = new Map([
    ['r1', 'token-of-r1'],
    ['r2', 'token-of-r2'],
  ]);
  const access = new Access({ token: 's3cret', replicaTokens: tokens, listenHost: '0.0.0.0' });

  it('names who a token is: any id for --token-file, one id for --tokens-file', () => {
    expect(access.principal('Bearer s3cret')).toEqual({});
    expect(access.principal('Bearer token-of-r2')).toEqual({ replicaId: 'r2' });
    expect(access.principal('Bearer token-of-r')).toBeUndefined();
    expect(access.principal(undefined)).toBeUndefined();
    expect(new Access({ listenHost: '127.0.0.1' }).principal(undefined)).toEqual({});
  });

  it.each([
    ['127.0.0.1:7070', true],
    ['[::1]:7070', true],
    ['10.1.2.3', true],
    ['localhost:7070', true],
    ['LOCALHOST', true],
    ['dash.localhost:7070', true],
    ['evil.example:7070', false],
    ['127.0.0.1.nip.io:7070', false],
    ['localhost.evil.example', false],
  ])('Host %s accepted: %s', (host, ok) => {
    expect(access.hostProblem(host) === undefined).toBe(ok);
  });

  it('takes --allowed-host names, and * for any', () => {
    const named = new Access({ listenHost: '0.0.0.0', allowedHosts: ['Primary.internal'] });
    expect(named.hostProblem('primary.internal:7070')).toBeUndefined();
    expect(named.hostProblem('other.internal:7070')).toMatch(/--allowed-host other\.internal/);
    expect(new Access({ listenHost: '0.0.0.0', allowedHosts: ['*'] }).hostProblem('x.y')).toBe(
      undefined,
    );
  });

  it.each([
    [{ host: '127.0.0.1:7070' }, true],
    [{ host: '127.0.0.1:7070', origin: 'http://127.0.0.1:7070' }, true],
    [{ host: '127.0.0.1:7070', origin: 'http://127.0.0.1:7071' }, false],
    [{ host: '127.0.0.1:7070', origin: 'http://evil.example' }, false],
    [{ host: '127.0.0.1:7070', origin: 'null' }, false],
    [{ host: '127.0.0.1:7070', 'sec-fetch-site': 'cross-site' }, false],
    [{ host: '127.0.0.1:7070', 'sec-fetch-site': 'same-origin' }, true],
  ])('a change with %j is same-origin: %s', (headers, ok) => {
    expect(access.crossOrigin(headers) === undefined).toBe(ok);
  });
});
