import * as assert from 'node:assert/strict';
import { TokenExplorerError } from '../../../../src/core/errors';
import { classifyKeyText, normalizePem } from '../../../../src/core/jwt/keyText';

const BODY = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' + 'A'.repeat(64);
const PEM = `-----BEGIN PUBLIC KEY-----\n${BODY.slice(0, 64)}\n${BODY.slice(64)}\n-----END PUBLIC KEY-----`;

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TokenExplorerError);
    return error.message;
  }
  return '';
}

describe('keyText: public keys as people paste them', () => {
  it('mends literal \\n escapes, quotes, one-line PEM and a bare body, saying what it did', () => {
    assert.deepEqual(normalizePem(PEM.replace(/\n/g, '\\n')), {
      pem: PEM,
      notes: ['turned literal "\\n" escapes into line breaks'],
    });
    assert.equal(normalizePem(JSON.stringify(PEM)).pem, PEM);
    assert.equal(normalizePem(PEM.replace(/\n/g, '')).pem, PEM);
    assert.deepEqual(normalizePem(BODY), {
      pem: PEM,
      notes: ['added the missing "PUBLIC KEY" armour lines around the base64 body'],
    });
  });

  it('names the missing part of what it cannot read', () => {
    assert.match(
      failure(() => normalizePem(PEM.split('-----END')[0] ?? '')),
      /no "-----END PUBLIC KEY-----" line/,
    );
    assert.match(
      failure(() => normalizePem('-----BEGIN PUBLIC KEY----------END PUBLIC KEY-----')),
      /no key between them/,
    );
    assert.match(
      failure(() => normalizePem(PEM.replace('AAAA', 'A*AA'))),
      /holds "\*"/,
    );
    assert.match(
      failure(() =>
        normalizePem(
          '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----',
        ),
      ),
      /not a public key/,
    );
    assert.match(
      failure(() => normalizePem('hello')),
      /no "-----BEGIN PUBLIC KEY-----"/,
    );
  });

  it('tells JSON, PEM and bare bodies apart', () => {
    assert.equal(classifyKeyText('{"keys":[]}')?.kind, 'jwks');
    assert.equal(classifyKeyText(PEM)?.kind, 'pem');
    assert.equal(classifyKeyText(BODY)?.kind, 'pem');
    assert.equal(classifyKeyText('not a key'), undefined);
  });
});
