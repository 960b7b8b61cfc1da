import * as assert from 'node:assert/strict';
import { canFetchIssuerKeys } from '../../../../src/core/jwt/issuerUrl';

describe('canFetchIssuerKeys: offer "Verify with issuer keys" only where it can work', () => {
  const cases: [string, Parameters<typeof canFetchIssuerKeys>[0], boolean][] = [
    [
      'an https issuer, RS256',
      { kind: 'jws', alg: 'RS256', issuer: 'https://accounts.google.com' },
      true,
    ],
    ['http on loopback', { kind: 'jws', alg: 'ES256', issuer: 'http://127.0.0.1:8080' }, true],
    [
      'an issuer that is not a URL ("joe", RFC 7515 A.2)',
      { kind: 'jws', alg: 'RS256', issuer: 'joe' },
      false,
    ],
    ['plain http elsewhere', { kind: 'jws', alg: 'RS256', issuer: 'http://issuer.example' }, false],
    ['an HMAC token', { kind: 'jws', alg: 'HS256', issuer: 'https://issuer.example' }, false],
    [
      'an encrypted token',
      { kind: 'jwe', alg: 'RSA-OAEP', issuer: 'https://issuer.example' },
      false,
    ],
    ['no issuer', { kind: 'jws', alg: 'RS256' }, false],
  ];
  for (const [name, inspection, expected] of cases) {
    it(name, () => assert.equal(canFetchIssuerKeys(inspection), expected));
  }
});
