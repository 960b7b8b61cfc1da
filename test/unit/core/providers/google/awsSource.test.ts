import * as assert from 'node:assert/strict';
import { AccessTokenSource } from '../../../../../src/core/providers/google/accessTokenSource';
import { parseCredentials } from '../../../../../src/core/providers/google/credentialFiles';
import { readSubjectToken } from '../../../../../src/core/providers/google/externalAccount';
import type { ExternalAccountCredentials } from '../../../../../src/core/providers/google/credentials';
import { ImdsServer } from '../../../../emulators/aws/imdsServer';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { FrozenClock, testContext } from '../../../../helpers/context';
import { rejectsWith } from '../../../helpers/assertions';

const POOL =
  '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws-pool/providers/aws';
const AWS_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
const VERIFICATION_URL =
  'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15';
const PRINCIPAL =
  'principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/aws-pool/subject/arn:aws:sts::111122223333:assumed-role/app/i-0abc';

interface DecodedRequest {
  url: string;
  method: string;
  headers: { key: string; value: string }[];
}

function decode(subjectToken: string): DecodedRequest {
  return JSON.parse(decodeURIComponent(subjectToken)) as DecodedRequest;
}

function encode(request: DecodedRequest): string {
  return encodeURIComponent(JSON.stringify(request));
}

describe('external_account with an AWS credential source (environment_id aws1)', () => {
  let apis: GoogleApis;
  let imds: ImdsServer;

  before(async () => {
    apis = await GoogleApis.start();
  });
  after(() => apis.stop());
  beforeEach(async () => {
    imds = await ImdsServer.start({ availabilityZone: 'eu-west-3b' });
    apis.requests.length = 0;
  });
  afterEach(() => imds.stop());

  /** The credential file `gcloud iam workload-identity-pools create-cred-config --aws` writes. */
  function credentialFile(
    source: Record<string, unknown> = {},
    v2 = true,
  ): ExternalAccountCredentials {
    const json = JSON.stringify({
      type: 'external_account',
      audience: POOL,
      subject_token_type: AWS_TYPE,
      token_url: apis.stsUrl,
      credential_source: {
        environment_id: 'aws1',
        region_url: imds.regionUrl,
        url: imds.securityCredentialsUrl,
        regional_cred_verification_url: VERIFICATION_URL,
        ...(v2 ? { imdsv2_session_token_url: imds.sessionTokenUrl } : {}),
        ...source,
      },
    });
    const parsed = parseCredentials(json, 'aws.json');
    assert.equal(parsed.type, 'external_account');
    return parsed as ExternalAccountCredentials;
  }

  function trustRole(): void {
    const role = imds.role!;
    apis.trustAwsCredentials(
      {
        accessKeyId: role.accessKeyId,
        secretAccessKey: role.secretAccessKey,
        sessionToken: role.sessionToken,
      },
      { audience: POOL, principal: PRINCIPAL },
    );
  }

  const imdsCalls = () =>
    imds.requests.map((r) => `${r.method} ${r.path} ${r.withSessionToken ? 'v2' : 'v1'}`);

  it('IMDSv2: session token PUTs, zone, role, credentials; the signed request passes STS', async () => {
    imds.requireSessionToken = true;
    trustRole();
    const token = await new AccessTokenSource(credentialFile(), testContext()).getAccessToken();
    assert.match(token.accessToken, /^ya29\./);
    // google-auth-library's order: a session token for the region, another for the credentials.
    assert.deepEqual(imdsCalls(), [
      'PUT /latest/api/token v1',
      'GET /latest/meta-data/placement/availability-zone v2',
      'PUT /latest/api/token v1',
      'GET /latest/meta-data/iam/security-credentials v2',
      `GET /latest/meta-data/iam/security-credentials/${imds.role!.name} v2`,
    ]);
    assert.deepEqual(
      imds.requests.filter((r) => r.method === 'PUT').map((r) => r.ttlSeconds),
      ['300', '300'],
    );
    assert.deepEqual(
      apis.requests.map((r) => [r.route, r.fields?.subject_token_type]),
      [['sts', AWS_TYPE]],
    );
  });

  it('builds the subject token as google-auth-library does', async () => {
    trustRole();
    const clock = new FrozenClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const subject = await readSubjectToken(credentialFile(), testContext({ clock }));
    const request = decode(subject);
    assert.equal(
      request.url,
      'https://sts.eu-west-3.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
    );
    assert.equal(request.method, 'POST');
    assert.deepEqual(
      request.headers.map((h) => h.key),
      [
        'authorization',
        'host',
        'x-amz-date',
        'x-amz-security-token',
        'x-goog-cloud-target-resource',
      ],
    );
    const value = (key: string) => request.headers.find((h) => h.key === key)?.value;
    assert.equal(value('host'), 'sts.eu-west-3.amazonaws.com');
    assert.equal(value('x-amz-date'), '20260102T030405Z');
    assert.equal(value('x-amz-security-token'), imds.role!.sessionToken);
    assert.equal(value('x-goog-cloud-target-resource'), POOL);
    assert.match(
      value('authorization') ?? '',
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${imds.role!.accessKeyId}/20260102/eu-west-3/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`,
      ),
    );
  });

  it('IMDSv1: no session token when the file names no imdsv2_session_token_url', async () => {
    trustRole();
    await new AccessTokenSource(credentialFile({}, false), testContext()).getAccessToken();
    assert.deepEqual(imdsCalls(), [
      'GET /latest/meta-data/placement/availability-zone v1',
      'GET /latest/meta-data/iam/security-credentials v1',
      `GET /latest/meta-data/iam/security-credentials/${imds.role!.name} v1`,
    ]);
  });

  it('environment credentials and region: no metadata call at all', async () => {
    apis.trustAwsCredentials(
      { accessKeyId: 'AKIAENVEXAMPLE', secretAccessKey: 'env-secret', sessionToken: 'env-session' },
      { audience: POOL, principal: PRINCIPAL },
    );
    const context = testContext({
      env: {
        AWS_REGION: 'ap-south-1',
        AWS_DEFAULT_REGION: 'us-west-1',
        AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
        AWS_SESSION_TOKEN: 'env-session',
      },
    });
    await new AccessTokenSource(credentialFile(), context).getAccessToken();
    assert.deepEqual(imds.requests, []);
    const request = decode(await readSubjectToken(credentialFile(), context));
    assert.equal(
      request.url,
      'https://sts.ap-south-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
    );
  });

  it('long-term keys (no session token) sign without x-amz-security-token', async () => {
    apis.trustAwsCredentials(
      { accessKeyId: 'AKIALONGTERM', secretAccessKey: 'long-secret' },
      { audience: POOL, principal: PRINCIPAL },
    );
    const context = testContext({
      env: {
        AWS_DEFAULT_REGION: 'us-west-1',
        AWS_ACCESS_KEY_ID: 'AKIALONGTERM',
        AWS_SECRET_ACCESS_KEY: 'long-secret',
      },
    });
    const credentials = credentialFile();
    await new AccessTokenSource(credentials, context).getAccessToken();
    const keys = decode(await readSubjectToken(credentials, context)).headers.map((h) => h.key);
    assert.ok(!keys.includes('x-amz-security-token'));
  });

  it('a missing region is explained', async () => {
    await rejectsWith(
      readSubjectToken(credentialFile({ region_url: undefined }), testContext()),
      'bad-config',
      /no "region_url"/,
      /AWS_REGION/,
      /aws\.json/,
    );
  });

  it('missing credentials (no url, no variables) are explained', async () => {
    await rejectsWith(
      readSubjectToken(
        credentialFile({ url: undefined }),
        testContext({ env: { AWS_REGION: 'us-east-1' } }),
      ),
      'bad-config',
      /AWS_ACCESS_KEY_ID/,
      /"url"/,
    );
  });

  it('an instance that requires IMDSv2, with a v1 file, says what to add', async () => {
    imds.requireSessionToken = true;
    await rejectsWith(
      readSubjectToken(credentialFile({}, false), testContext()),
      'http-status',
      /HTTP 401/,
      /HttpTokens=required/,
      /imdsv2_session_token_url/,
    );
  });

  it('an instance without a role says to attach one', async () => {
    imds.role = undefined;
    await rejectsWith(
      readSubjectToken(credentialFile(), testContext({ env: { AWS_REGION: 'us-east-1' } })),
      'http-status',
      /HTTP 404/,
      /no IAM role/,
    );
  });

  it('a bad signature (STS knows another secret) is refused clearly, without the secret', async () => {
    const role = imds.role!;
    apis.trustAwsCredentials(
      {
        accessKeyId: role.accessKeyId,
        secretAccessKey: 'not-the-secret',
        sessionToken: role.sessionToken,
      },
      { audience: POOL, principal: PRINCIPAL },
    );
    const error = await rejectsWith(
      new AccessTokenSource(credentialFile(), testContext()).getAccessToken(),
      'bad-credentials',
      /security token service/,
      /invalid_grant/,
      /signature we calculated does not match/,
    );
    assert.ok(!error.message.includes(role.secretAccessKey));
    assert.ok(!error.message.includes(role.sessionToken));
  });

  it('a clock 20 minutes off is refused as AWS words it', async () => {
    trustRole();
    const clock = new FrozenClock(Date.now() - 20 * 60_000);
    await rejectsWith(
      new AccessTokenSource(credentialFile(), testContext({ clock })).getAccessToken(),
      'bad-credentials',
      /Signature expired: \d{8}T\d{6}Z is now earlier than/,
    );
  });

  it('reads the region once per file, the credentials every time', async () => {
    trustRole();
    const credentials = credentialFile({}, false);
    const context = testContext();
    await readSubjectToken(credentials, context);
    await readSubjectToken(credentials, context);
    assert.equal(imds.requests.filter((r) => r.path.endsWith('availability-zone')).length, 1);
    assert.equal(imds.requests.filter((r) => r.path.endsWith(imds.role!.name)).length, 2);
  });

  describe('the file', () => {
    const parse = (source: Record<string, unknown>) =>
      parseCredentials(
        JSON.stringify({
          type: 'external_account',
          audience: POOL,
          subject_token_type: AWS_TYPE,
          credential_source: source,
        }),
        'aws.json',
      );

    it('is read as an AWS source even though it has a url', () => {
      const credentials = parse({
        environment_id: 'aws1',
        url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials',
        regional_cred_verification_url: VERIFICATION_URL,
      });
      assert.deepEqual(credentials.type === 'external_account' && credentials.credentialSource, {
        kind: 'aws',
        url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials',
        regionalCredVerificationUrl: VERIFICATION_URL,
      });
    });

    it('names a certificate source as not supported', () => {
      assert.throws(
        () => parse({ certificate: { use_default_certificate_config: true } }),
        /certificate \(X\.509 workload identity\) credential sources are not supported/,
      );
    });

    for (const [source, why] of [
      [
        { environment_id: 'aws2', regional_cred_verification_url: VERIFICATION_URL },
        /version 2 is not supported/,
      ],
      [
        { environment_id: 'azure1', regional_cred_verification_url: VERIFICATION_URL },
        /the only environment is "aws1"/,
      ],
      [
        { environment_id: 'AWS1', regional_cred_verification_url: VERIFICATION_URL },
        /the only environment is "aws1"/,
      ],
      [{ environment_id: 'aws1' }, /regional_cred_verification_url/],
    ] as const) {
      it(`refuses ${JSON.stringify(source)}`, () => {
        assert.throws(() => parse(source), why);
      });
    }
  });

  describe('the STS emulator checks the signed request as AWS would', () => {
    let valid: DecodedRequest;

    beforeEach(async () => {
      trustRole();
      valid = decode(await readSubjectToken(credentialFile(), testContext()));
    });

    async function exchange(
      request: DecodedRequest,
      audience = POOL,
    ): Promise<{ status: number; body: Record<string, string> }> {
      const response = await fetch(apis.stsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          audience,
          scope: 'https://www.googleapis.com/auth/cloud-platform',
          requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          subject_token: encode(request),
          subject_token_type: AWS_TYPE,
        }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    }

    /** The request's x-amz-date moved by `ms`. */
    const shiftedDate = (ms: number): string => {
      const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(
        valid.headers.find((h) => h.key === 'x-amz-date')?.value ?? '',
      )!;
      const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + ms;
      return new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, '');
    };

    const withHeader = (key: string, value: string): DecodedRequest => ({
      ...valid,
      headers: valid.headers.map((h) => (h.key === key ? { key, value } : h)),
    });

    it('accepts the request as signed', async () => {
      assert.equal((await exchange(valid)).status, 200);
    });

    const refusals: [string, () => DecodedRequest, RegExp][] = [
      [
        'another region in the URL and host than in the signature',
        () => ({
          ...withHeader('host', 'sts.us-east-1.amazonaws.com'),
          url: valid.url.replace('eu-west-3', 'us-east-1'),
        }),
        /Credential should be scoped to a valid region/,
      ],
      [
        'another host header',
        () => withHeader('host', 'sts.us-east-1.amazonaws.com'),
        /host header is not the host/,
      ],
      [
        'a date a minute earlier',
        () => withHeader('x-amz-date', shiftedDate(-60_000)),
        /signature we calculated does not match/,
      ],
      [
        'a date on another day than the scope',
        () => withHeader('x-amz-date', shiftedDate(-86_400_000)),
        /scoped to a valid date/,
      ],
      [
        'another target resource',
        () => withHeader('x-goog-cloud-target-resource', POOL.replace('aws-pool', 'other')),
        /x-goog-cloud-target-resource/,
      ],
      [
        'another session token',
        () => withHeader('x-amz-security-token', 'forged'),
        /InvalidClientTokenId/,
      ],
      [
        'a tampered signature',
        () =>
          withHeader(
            'authorization',
            valid.headers
              .find((h) => h.key === 'authorization')!
              .value.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
          ),
        /signature we calculated does not match/,
      ],
      ['a GET', () => ({ ...valid, method: 'GET' }), /must use POST/],
      [
        'another action',
        () => ({ ...valid, url: valid.url.replace('GetCallerIdentity', 'GetSessionToken') }),
        /not a GetCallerIdentity request/,
      ],
      [
        'the global endpoint',
        () => ({ ...valid, url: valid.url.replace('sts.eu-west-3.', 'sts.') }),
        /regional AWS STS endpoint/,
      ],
    ];
    for (const [what, make, why] of refusals) {
      it(`refuses ${what} with invalid_grant`, async () => {
        const { status, body } = await exchange(make());
        assert.equal(status, 400);
        assert.equal(body.error, 'invalid_grant');
        assert.match(body.error_description ?? '', why);
      });
    }

    it('refuses an unknown access key', async () => {
      const { body } = await exchange(
        withHeader(
          'authorization',
          valid.headers
            .find((h) => h.key === 'authorization')!
            .value.replace(/Credential=\w+/, 'Credential=AKIAUNKNOWN'),
        ),
      );
      assert.match(body.error_description ?? '', /InvalidClientTokenId/);
    });
  });
});
