import * as assert from 'node:assert/strict';
import { CompactSign, exportSPKI, generateKeyPair } from 'jose';
import { decodeCompact } from '../../../../src/core/jwt/decode';
import { extractToken } from '../../../../src/core/jwt/extract';
import { findJwts } from '../../../../src/core/jwt/find';
import { inspectToken } from '../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../src/core/jwt/jwks';
import { classifyKeyText } from '../../../../src/core/jwt/keyText';
import { timeStatus } from '../../../../src/core/jwt/time';
import { verifySignature } from '../../../../src/core/jwt/verify';
import type { KeySource } from '../../../../src/core/jwt/verifyTypes';
import { PEER_CASES, type Material } from '../../../fixtures/peerReports';

describe("cases shaped like peers' public bug reports (issue 9)", () => {
  const now = Math.floor(Date.now() / 1000);
  let privateKey: CryptoKey;
  let spkiPem: string;

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    spkiPem = await exportSPKI(pair.publicKey);
  });

  async function sign(payloadText: string): Promise<string> {
    return new CompactSign(new TextEncoder().encode(payloadText))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' })
      .sign(privateKey);
  }

  for (const row of PEER_CASES) {
    it(`${row.kind}: ${row.name} (like ${row.resembles})`, async () => {
      const payloadText =
        row.payloadText?.replace('EXP', String(now + 3600)) ??
        JSON.stringify({
          iss: 'https://issuer.example',
          aud: 'https://service.example',
          sub: 'svc-1',
          iat: now,
          exp: now + 3600,
          ...row.claims,
        });
      const material: Material = { token: await sign(payloadText), spkiPem };
      const input = row.input(material);
      const { expect } = row;

      const extracted = extractToken(input);
      if (expect.sameToken) assert.equal(extracted.token, material.token);
      if (expect.repairs) assert.match(extracted.repairs?.join('; ') ?? '', expect.repairs);

      const decoded = decodeCompact(extracted.token);
      assert.deepEqual(decoded.problems, []);
      const inspection = inspectToken(input);
      if (expect.display) {
        const row = inspection.claimRows.find((r) => r.name === expect.display?.claim);
        assert.equal(row?.display, expect.display.text);
      }
      if (expect.warning) assert.match(inspection.warnings.join('\n'), expect.warning);
      if (expect.timeStatus) {
        assert.equal(timeStatus(inspection.times, Date.now(), 0), expect.timeStatus);
      }
      if (expect.verified !== undefined) {
        const keySource: KeySource | undefined = row.key
          ? classifyKeyText(row.key(material))
          : { kind: 'pem', pem: spkiPem };
        assert.ok(keySource, 'the key text is recognised');
        const outcome = await verifySignature(inspection, {
          keySource,
          jwks: new JwksCache(fetch, { now: Date.now }, { timeoutMs: 1000 }),
          allowNetwork: false,
        });
        assert.equal(outcome.status, expect.verified ? 'verified' : 'bad-signature');
      }
      if (expect.foundByFinder) {
        const [found] = findJwts(input);
        assert.equal(found?.token, material.token, 'findJwts (hover, CodeLens) finds it too');
      }
    });
  }
});
