import * as assert from 'node:assert/strict';
import { CompactEncrypt, generateKeyPair } from 'jose';
import { decodeCompact } from '../../../../src/core/jwt/decode';
import { inspectToken } from '../../../../src/core/jwt/inspect';
import {
  RFC7515_A1_HS256,
  RFC7515_A2_RS256,
  RFC7515_A3_ES256,
  RFC7515_A5_NONE,
  RFC_CLAIMS,
} from '../../../fixtures/rfcTokens';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const GOOD_HEADER = b64('{"alg":"RS256","typ":"JWT"}');
const GOOD_PAYLOAD = b64('{"sub":"123","exp":2000000000}');

describe('decodeCompact', () => {
  it('decodes the RFC 7515 A.1 HS256 example', () => {
    const d = decodeCompact(RFC7515_A1_HS256);
    assert.equal(d.kind, 'jws');
    assert.deepEqual(d.header, { typ: 'JWT', alg: 'HS256' });
    assert.deepEqual(d.payload, RFC_CLAIMS);
    assert.deepEqual(d.problems, []);
    assert.deepEqual(
      d.parts.map((p) => p.name),
      ['header', 'payload', 'signature'],
    );
  });

  it('decodes the RFC 7515 A.2 RS256 and A.3 ES256 examples', () => {
    for (const [token, alg] of [
      [RFC7515_A2_RS256, 'RS256'],
      [RFC7515_A3_ES256, 'ES256'],
    ] as const) {
      const d = decodeCompact(token);
      assert.deepEqual(d.header, { alg });
      assert.deepEqual(d.payload, RFC_CLAIMS);
      assert.deepEqual(d.problems, []);
    }
  });

  it('flags the RFC 7515 A.5 unsecured example as alg none', () => {
    const d = decodeCompact(RFC7515_A5_NONE);
    assert.equal(d.kind, 'unsecured');
    assert.deepEqual(d.payload, RFC_CLAIMS);
    assert.deepEqual(d.problems, []);
    assert.match(d.warnings.join('\n'), /Unsecured token.*anyone can forge/);
  });

  it('reports a signature on an alg none token', () => {
    const d = decodeCompact(`${RFC7515_A5_NONE}abc`);
    assert.equal(d.problems[0]?.code, 'signature-present-for-none');
  });

  it('shows the protected header of a JWE and says the payload is encrypted', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{"secret":1}'))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k1' })
      .encrypt(publicKey);
    const d = decodeCompact(jwe);
    assert.equal(d.kind, 'jwe');
    assert.deepEqual(d.header, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'k1' });
    assert.equal(d.payload, undefined);
    assert.deepEqual(
      d.parts.map((p) => p.name),
      ['header', 'encryptedKey', 'iv', 'ciphertext', 'tag'],
    );
    assert.match(d.warnings.join('\n'), /encrypted token \(JWE\)/);
  });

  describe('malformed input: each failure names its part and reason', () => {
    const cases: [string, string, string, RegExp][] = [
      ['two parts', `${GOOD_HEADER}.${GOOD_PAYLOAD}`, 'segment-count', /has 2\./],
      ['four parts', `${GOOD_HEADER}.${GOOD_PAYLOAD}.c2ln.eA`, 'segment-count', /has 4\./],
      ['an empty header', `.${GOOD_PAYLOAD}.c2ln`, 'empty-segment', /header is empty/],
      ['an empty payload', `${GOOD_HEADER}..c2ln`, 'empty-segment', /payload is empty/],
      [
        'standard Base64 in the payload',
        `${GOOD_HEADER}.ab+c.c2ln`,
        'bad-base64url',
        /"\+" at position 3.*standard Base64/,
      ],
      [
        'whitespace inside',
        `${GOOD_HEADER}.ab c.c2ln`,
        'bad-base64url',
        /whitespace \(U\+0020\) at position 3/,
      ],
      [
        'a cut-off header',
        `${GOOD_HEADER.slice(0, 9)}.${GOOD_PAYLOAD}.c2ln`,
        'bad-base64url',
        /impossible base64url length \(9/,
      ],
      [
        'a header that is not UTF-8',
        `${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url')}.${GOOD_PAYLOAD}.c2ln`,
        'bad-utf8',
        /header decodes to bytes that are not UTF-8/,
      ],
      [
        'a payload that is not JSON',
        `${GOOD_HEADER}.${b64('{"sub": 12')}.c2ln`,
        'bad-json',
        /payload is not valid JSON/,
      ],
      [
        'a payload that is a JSON array',
        `${GOOD_HEADER}.${b64('[1,2]')}.c2ln`,
        'not-object',
        /payload is JSON an array/,
      ],
      [
        'a header that is a JSON string',
        `${b64('"RS256"')}.${GOOD_PAYLOAD}.c2ln`,
        'not-object',
        /header is JSON a string/,
      ],
      [
        'a header without alg',
        `${b64('{"typ":"JWT"}')}.${GOOD_PAYLOAD}.c2ln`,
        'missing-alg',
        /no "alg"/,
      ],
      [
        'an empty signature',
        `${GOOD_HEADER}.${GOOD_PAYLOAD}.`,
        'missing-signature',
        /signature is empty.*"RS256"/,
      ],
      [
        'a bad signature encoding',
        `${GOOD_HEADER}.${GOOD_PAYLOAD}.a*b`,
        'bad-base64url',
        /signature is not base64url: "\*"/,
      ],
    ];
    for (const [name, token, code, message] of cases) {
      it(`${name} → ${code}`, () => {
        const d = decodeCompact(token);
        const problem = d.problems.find((p) => p.code === code);
        assert.ok(problem, `expected ${code}, got ${JSON.stringify(d.problems)}`);
        assert.match(problem.message, message);
      });
    }

    it('still decodes the good parts when one part is broken', () => {
      const d = decodeCompact(`${GOOD_HEADER}.${b64('{"sub": 12')}.c2ln`);
      assert.deepEqual(d.header, { alg: 'RS256', typ: 'JWT' });
      assert.equal(d.payload, undefined);
      const e = decodeCompact(`${b64('{oops')}.${GOOD_PAYLOAD}.c2ln`);
      assert.equal(e.header, undefined);
      assert.deepEqual(e.payload, { sub: '123', exp: 2000000000 });
      assert.equal(e.problems[0]?.part, 'header');
    });

    it('accepts base64 padding with a warning', () => {
      const d = decodeCompact(`${GOOD_HEADER}==.${GOOD_PAYLOAD}.c2ln`);
      assert.deepEqual(d.problems, []);
      assert.match(d.warnings.join(), /"=" padding/);
    });
  });
});

describe('inspectToken', () => {
  it('combines extraction, decoding, claims and times', () => {
    const i = inspectToken(`  Authorization: Bearer ${RFC7515_A1_HS256}  `);
    assert.equal(i.foundIn, 'bearer header');
    assert.equal(i.alg, 'HS256');
    assert.equal(i.issuer, 'joe');
    assert.equal(i.times.exp, 1300819380);
    assert.ok(i.claimRows.some((r) => r.name === 'iss' && r.label));
    assert.ok(i.headerRows.some((r) => r.name === 'alg'));
  });
});
