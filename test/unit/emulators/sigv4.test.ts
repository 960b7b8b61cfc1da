import * as assert from 'node:assert/strict';
import { sign } from 'aws4';
import {
  SigV4Refused,
  type SigV4Identity,
  type SigV4Request,
  verifySigV4,
} from '../../emulators/aws/sigv4';

// The emulators' one SigV4 verifier (used by the AWS STS emulator and by Google STS's
// GetCallerIdentity check): AWS's published test vectors, then each refusal.
describe('SigV4 verifier of the emulators', () => {
  // AWS SigV4 test suite (aws-sig-v4-test-suite, "get-vanilla" and
  // "get-vanilla-query-order-key-case"): these credentials, clock, scope and signatures.
  const EXAMPLE: SigV4Identity = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  };
  const EXAMPLE_NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
  const exampleRequest = (path: string, signature: string): SigV4Request => ({
    method: 'GET',
    url: new URL(`https://example.amazonaws.com${path}`),
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    },
    body: '',
  });
  const exampleScope = { service: 'service', region: 'us-east-1', sessionTokenSigned: true };

  it('accepts AWS test suite requests (get-vanilla, query keys sorted)', () => {
    for (const [path, signature] of [
      ['/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
      [
        '/?Param2=value2&Param1=value1',
        'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
      ],
    ] as const) {
      const { identity, signedHeaders } = verifySigV4(
        exampleRequest(path, signature),
        exampleScope,
        [EXAMPLE],
        EXAMPLE_NOW,
      );
      assert.equal(identity, EXAMPLE);
      assert.deepEqual(signedHeaders, ['host', 'x-amz-date']);
    }
  });

  const TEMPORARY: SigV4Identity = {
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'temporary-secret',
    sessionToken: 'session-token',
  };
  const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
  const scope = { service: 'sts', region: 'eu-west-3', sessionTokenSigned: true };

  /** A STS POST signed by aws4 (as our providers sign) at `signedAt`. */
  function signed(
    options: { signedAt?: number; tokenAfterSigning?: boolean; region?: string } = {},
  ): SigV4Request {
    const body = 'Action=GetWebIdentityToken&Version=2011-06-15';
    const amzDate = new Date(options.signedAt ?? NOW).toISOString().replace(/[-:]|\.\d{3}/g, '');
    const request = sign(
      {
        host: 'sts.eu-west-3.amazonaws.com',
        path: '/?X=a%20b&A=1',
        method: 'POST',
        service: 'sts',
        region: options.region ?? 'eu-west-3',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Amz-Date': amzDate },
      },
      options.tokenAfterSigning ? { ...TEMPORARY, sessionToken: undefined } : TEMPORARY,
    );
    const headers: Record<string, string> = { host: 'sts.eu-west-3.amazonaws.com' };
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      headers[name.toLowerCase()] = String(value);
    }
    if (options.tokenAfterSigning) headers['x-amz-security-token'] = TEMPORARY.sessionToken!;
    return { method: 'POST', url: new URL(`https://${headers.host}/?X=a%20b&A=1`), headers, body };
  }

  const refusal = (
    request: SigV4Request,
    code: string,
    message: RegExp,
    identities = [TEMPORARY, EXAMPLE],
  ): void => {
    assert.throws(
      () => verifySigV4(request, scope, identities, NOW),
      (error: unknown) =>
        error instanceof SigV4Refused &&
        error.status === 403 &&
        error.code === code &&
        message.test(error.message),
    );
  };

  it('accepts a request aws4 signed with temporary credentials, query and body', () => {
    const { identity, signedHeaders } = verifySigV4(signed(), scope, [EXAMPLE, TEMPORARY], NOW);
    assert.equal(identity, TEMPORARY);
    assert.ok(signedHeaders.includes('x-amz-security-token'));
  });

  it('refuses a changed body, query or signature', () => {
    const request = signed();
    refusal({ ...request, body: `${request.body}&x=1` }, 'SignatureDoesNotMatch', /calculated/);
    refusal(
      { ...request, url: new URL(`${request.url.href}&B=2`) },
      'SignatureDoesNotMatch',
      /calculated/,
    );
    const authorization = String(request.headers.authorization);
    refusal(
      {
        ...request,
        headers: {
          ...request.headers,
          authorization: authorization.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        },
      },
      'SignatureDoesNotMatch',
      /calculated/,
    );
  });

  it('refuses outside 15 minutes of its clock, in STS words', () => {
    refusal(
      signed({ signedAt: NOW - 16 * 60_000 }),
      'SignatureDoesNotMatch',
      /^Signature expired: 20260102T024805Z is now earlier than 20260102T024905Z \(20260102T030405Z - 15 min\.\)$/,
    );
    refusal(
      signed({ signedAt: NOW + 16 * 60_000 }),
      'SignatureDoesNotMatch',
      /^Signature not yet current: 20260102T032005Z is still later than 20260102T031905Z/,
    );
    assert.doesNotThrow(() =>
      verifySigV4(signed({ signedAt: NOW - 14 * 60_000 }), scope, [TEMPORARY], NOW),
    );
  });

  it('refuses another region, no Authorization, an unknown key and a forged session token', () => {
    refusal(signed({ region: 'us-east-1' }), 'SignatureDoesNotMatch', /valid region/);
    const { authorization, ...unsigned } = signed().headers;
    assert.ok(authorization);
    refusal({ ...signed(), headers: unsigned }, 'MissingAuthenticationToken', /missing/);
    refusal(signed(), 'InvalidClientTokenId', /security token included/, [EXAMPLE]);
    const forged = signed();
    refusal(
      { ...forged, headers: { ...forged.headers, 'x-amz-security-token': 'forged' } },
      'InvalidClientTokenId',
      /security token included in the request is invalid/,
    );
  });

  it('a session token added after signing: refused or accepted as the service chooses', () => {
    refusal(
      signed({ tokenAfterSigning: true }),
      'SignatureDoesNotMatch',
      /x-amz-security-token header must be signed/,
    );
    const { identity } = verifySigV4(
      signed({ tokenAfterSigning: true }),
      { ...scope, sessionTokenSigned: false },
      [TEMPORARY],
      NOW,
    );
    assert.equal(identity, TEMPORARY);
  });
});
