import * as assert from 'node:assert/strict';
import { inspectToken } from '../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../src/core/jwt/jwks';
import { verifySignature } from '../../../../src/core/jwt/verify';
import type { KeySource } from '../../../../src/core/jwt/verifyTypes';
import { FrozenClock } from '../../../helpers/context';
import { OidcIssuer } from '../../../emulators/oidcIssuer';
import { graphLikeToken } from '../../../fixtures/graphToken';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Microsoft Graph tokens in the verify path', () => {
  const fetched: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    fetched.push(String(input));
    return fetch(input, init);
  };
  const jwks = new JwksCache(recordingFetch, new FrozenClock(NOW), { timeoutMs: 1000 });
  const verify = (token: string, keySource: KeySource = { kind: 'issuer' }) =>
    verifySignature(inspectToken(token), { keySource, jwks, allowNetwork: true });
  beforeEach(() => {
    fetched.length = 0;
  });

  const graphTokens: [string, Record<string, unknown>][] = [
    [
      'v1.0 Graph token (issue 609)',
      { aud: '00000003-0000-0000-c000-000000000000', iss: `https://sts.windows.net/${TENANT}/` },
    ],
    [
      'v2.0 issuer, Graph URL with a slash',
      {
        aud: 'https://graph.microsoft.com/',
        iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      },
    ],
    [
      'US Government Graph',
      { aud: 'https://graph.microsoft.us', iss: `https://login.microsoftonline.us/${TENANT}/v2.0` },
    ],
    [
      'Entra issuer, SharePoint audience',
      { aud: 'https://contoso.sharepoint.com', iss: `https://sts.windows.net/${TENANT}/` },
    ],
    ['Graph audience, issuer missing', { aud: ['https://dod-graph.microsoft.us/'] }],
  ];
  for (const [name, payload] of graphTokens) {
    it(`explains instead of "bad signature": ${name}`, async () => {
      const { token } = await graphLikeToken({ ...payload, exp: NOW / 1000 + 3600 });
      const outcome = await verify(token);
      assert.equal(outcome.status, 'unverifiable');
      assert.match(
        (outcome as { reason: string }).reason,
        /"nonce" in its header.*only Microsoft Graph can check the signature/s,
      );
      assert.deepEqual(fetched, [], 'no key set is fetched for a token no key can check');
    });
  }

  it('says the same when the user supplies the very key that signed it', async () => {
    const { token, jwk } = await graphLikeToken({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${TENANT}/`,
    });
    const outcome = await verify(token, { kind: 'jwks', json: JSON.stringify({ keys: [jwk] }) });
    assert.equal(outcome.status, 'unverifiable');
  });

  it('verifies other tokens with a header nonce, and Entra tokens without one, as before', async () => {
    const issuer = await OidcIssuer.start();
    try {
      const own = await issuer.sign({ sub: 'svc', aud: 'api://my-api' });
      const [h, p, s] = own.split('.');
      assert.ok(h && p && s);
      // A nonce in the header of a non-Entra token is nothing special: the signature is checked
      // (and fails here because the header was changed after signing).
      const withNonce = `${b64({ ...JSON.parse(Buffer.from(h, 'base64url').toString()), nonce: 'x' })}.${p}.${s}`;
      assert.equal((await verify(withNonce)).status, 'bad-signature');
      assert.equal((await verify(own)).status, 'verified');
    } finally {
      await issuer.stop();
    }
    const { token } = await graphLikeToken({ aud: 'api://my-api', iss: 'https://issuer.example' });
    const noEntra = await verifySignature(inspectToken(token), {
      keySource: { kind: 'issuer' },
      jwks,
      allowNetwork: false,
    });
    assert.equal(noEntra.status, 'not-attempted');
  });
});
