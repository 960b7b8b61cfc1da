import * as assert from 'node:assert/strict';
import { diagnose } from '../../../../src/core/call/diagnose';
import { GCLOUD_CLIENT_ID } from '../../../../src/core/call/rules';
import type { CallResponse, DiagnosisInput, Finding } from '../../../../src/core/call/types';

const NOW = 1_800_000_000;
const RUN_URL = 'https://hello-123456789.us-central1.run.app';
const SA = 'invoker@demo-project.iam.gserviceaccount.com';

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWS-shaped token (rules never check signatures: the service does). */
function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT', ...header })}.${b64(claims)}.c2ln`;
}

function google(claims: Record<string, unknown> = {}): string {
  return jwt({
    iss: 'https://accounts.google.com',
    aud: RUN_URL,
    sub: '1234',
    email: SA,
    iat: NOW - 60,
    exp: NOW + 3540,
    ...claims,
  });
}

function response(status: number, headers: Record<string, string> = {}, body = ''): CallResponse {
  return {
    status,
    statusText: '',
    elapsedMs: 12,
    headers,
    bodyStart: body,
    bodyBytesRead: body.length,
    bodyTruncated: false,
  };
}

function run(input: Partial<DiagnosisInput> & { token: string }): readonly Finding[] {
  return diagnose({ url: RUN_URL, nowSeconds: NOW, clockSkewSeconds: 60, ...input }).findings;
}

function only(findings: readonly Finding[], rule: Finding['rule']): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

describe('diagnosis rules', () => {
  describe('token-kind', () => {
    it('names a ya29 access token', () => {
      const [f] = only(run({ token: 'ya29.a0AfB_byC-xyz' }), 'token-kind');
      assert.equal(f?.severity, 'error');
      assert.match(f?.title ?? '', /access token, not an ID token/);
      assert.match(f?.fix ?? '', /hello-123456789\.us-central1\.run\.app/);
    });
    it('names an opaque string without showing it whole', () => {
      const [f] = only(run({ token: 'sk_live_abcdefghijklmnopqrstuvwxyz' }), 'token-kind');
      assert.match(f?.title ?? '', /not a JWT/);
      assert.ok(!f?.evidence.includes('abcdefghijklmnopqrstuvwxyz'));
    });
    it('names an encrypted JWE and an RFC 9068 access-token JWT', () => {
      const jwe = `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`;
      assert.match(only(run({ token: jwe }), 'token-kind')[0]?.title ?? '', /encrypted/);
      const at = google({}).replace(/^[^.]+/, b64({ alg: 'RS256', typ: 'at+jwt' }));
      assert.match(only(run({ token: at }), 'token-kind')[0]?.title ?? '', /access token/);
      const scp = google({ scp: 'user.read' });
      assert.equal(only(run({ token: scp }), 'token-kind').length, 1);
    });
    it('says nothing about a Google ID token', () => {
      assert.deepEqual(only(run({ token: google() }), 'token-kind'), []);
    });
  });

  describe('issuer', () => {
    it('rejects a non-Google issuer for Cloud Run and IAP, not for a plain API', () => {
      const token = google({ iss: 'https://token.actions.githubusercontent.com' });
      assert.equal(only(run({ token }), 'issuer')[0]?.severity, 'error');
      assert.equal(only(run({ token, kind: 'iap' }), 'issuer').length, 1);
      assert.deepEqual(only(run({ token, kind: 'oidc-api' }), 'issuer'), []);
    });
  });

  describe('audience', () => {
    it('accepts the service URL, with a slash, and custom audiences', () => {
      assert.deepEqual(only(run({ token: google() }), 'audience'), []);
      assert.deepEqual(only(run({ token: google({ aud: `${RUN_URL}/` }) }), 'audience'), []);
      const custom = google({ aud: 'https://api.example.com' });
      assert.deepEqual(
        only(run({ token: custom, customAudiences: ['https://api.example.com'] }), 'audience'),
        [],
      );
    });
    it('rejects another service and says what was expected', () => {
      const [f] = only(run({ token: google({ aud: 'https://other.example' }) }), 'audience');
      assert.equal(f?.severity, 'error');
      assert.match(f?.evidence ?? '', /"https:\/\/other\.example"/);
      assert.match(f?.evidence ?? '', /expects "https:\/\/hello-123456789/);
    });
    it('explains an audience with a path', () => {
      const [f] = only(run({ token: google({ aud: `${RUN_URL}/api/v1` }) }), 'audience');
      assert.match(f?.evidence ?? '', /with a path/);
    });
    it("flags gcloud's client id: info for Cloud Run, error for IAP", () => {
      const token = google({ aud: GCLOUD_CLIENT_ID });
      assert.equal(only(run({ token }), 'audience')[0]?.severity, 'info');
      const [iap] = only(run({ token, kind: 'iap' }), 'audience');
      assert.equal(iap?.severity, 'error');
      assert.match(iap?.title ?? '', /gcloud/);
    });
    it('IAP: wants its OAuth client id, not a URL, and exactly the known one', () => {
      const client = '1234-abc.apps.googleusercontent.com';
      assert.match(
        only(run({ token: google(), kind: 'iap' }), 'audience')[0]?.evidence ?? '',
        /OAuth client id/,
      );
      assert.deepEqual(only(run({ token: google({ aud: client }), kind: 'iap' }), 'audience'), []);
      const [f] = only(
        run({
          token: google({ aud: client }),
          kind: 'iap',
          iapClientId: '999-x.apps.googleusercontent.com',
        }),
        'audience',
      );
      assert.match(f?.evidence ?? '', /expects "999-x/);
    });
    it('a plain API: a warning only, and no finding for its URL', () => {
      const url = 'https://api.example.com/v1/items';
      const other = only(run({ url, token: google({ aud: 'x' }) }), 'audience');
      assert.equal(other[0]?.severity, 'warning');
      assert.deepEqual(
        only(run({ url, token: google({ aud: 'https://api.example.com' }) }), 'audience'),
        [],
      );
    });
    it('a token without aud', () => {
      assert.match(
        only(run({ token: google({ aud: undefined }) }), 'audience')[0]?.title ?? '',
        /no audience/,
      );
    });
  });

  describe('time', () => {
    it('expired beyond the skew, with how long ago', () => {
      const [f] = only(run({ token: google({ exp: NOW - 7200 }) }), 'time');
      assert.equal(f?.severity, 'error');
      assert.match(f?.evidence ?? '', /120 min ago|2 h ago/);
    });
    it('within the skew is fine', () => {
      assert.deepEqual(only(run({ token: google({ exp: NOW - 30 }) }), 'time'), []);
    });
    it('not yet valid, and issued in the future (a clock is off)', () => {
      const findings = only(run({ token: google({ nbf: NOW + 600, iat: NOW + 600 }) }), 'time');
      assert.deepEqual(
        findings.map((f) => f.title),
        ['The token is not valid yet', 'A clock is off'],
      );
    });
    it('no exp at all', () => {
      assert.match(
        only(run({ token: google({ exp: undefined }) }), 'time')[0]?.title ?? '',
        /no expiry/,
      );
    });
  });

  describe('iap-email', () => {
    it('IAP needs email; Cloud Run does not', () => {
      const token = google({ aud: '1-a.apps.googleusercontent.com', email: undefined });
      assert.equal(only(run({ token, kind: 'iap' }), 'iap-email')[0]?.severity, 'error');
      assert.deepEqual(only(run({ token: google({ email: undefined }) }), 'iap-email'), []);
    });
  });

  describe('header-form', () => {
    it('X-Serverless-Authorization outside Cloud Run, Proxy-Authorization outside IAP', () => {
      const token = google();
      const url = 'https://api.example.com';
      assert.equal(
        only(run({ url, token, headerForm: 'x-serverless-authorization' }), 'header-form').length,
        1,
      );
      assert.equal(
        only(run({ token, headerForm: 'proxy-authorization' }), 'header-form').length,
        1,
      );
      assert.deepEqual(
        only(run({ token, headerForm: 'x-serverless-authorization' }), 'header-form'),
        [],
      );
    });
  });

  describe('challenge', () => {
    it('reads error and error_description (RFC 6750)', () => {
      const [f] = only(
        run({
          token: google(),
          kind: 'oidc-api',
          response: response(401, {
            'www-authenticate':
              'Bearer realm="api", error="invalid_token", error_description="The token expired"',
          }),
        }),
        'challenge',
      );
      assert.equal(f?.title, 'The service says invalid_token: The token expired');
      assert.match(f?.evidence ?? '', /expired, revoked, malformed/);
    });
    it('a Bearer challenge without error: the service saw no token', () => {
      const [f] = only(
        run({
          token: google(),
          kind: 'oidc-api',
          response: response(401, { 'www-authenticate': 'Bearer realm="api"' }),
        }),
        'challenge',
      );
      assert.match(f?.title ?? '', /saw no token/);
    });
    it('insufficient_scope names the scope', () => {
      const [f] = only(
        run({
          token: google(),
          kind: 'oidc-api',
          response: response(403, {
            'www-authenticate': 'Bearer error="insufficient_scope", scope="admin"',
          }),
        }),
        'challenge',
      );
      assert.match(f?.fix ?? '', /"admin"/);
    });
  });

  describe('redirect', () => {
    it('shows a cross-origin redirect and the sign-in page', () => {
      const other = only(
        run({ token: google(), response: response(302, { location: 'https://evil.example/x' }) }),
        'redirect',
      );
      assert.match(
        other[0]?.evidence ?? '',
        /would have sent the token to https:\/\/evil\.example/,
      );
      const signIn = only(
        run({
          token: google(),
          response: response(302, { location: 'https://accounts.google.com/o/oauth2/v2/auth' }),
        }),
        'redirect',
      );
      assert.equal(signIn[0]?.severity, 'error');
    });
  });

  describe('permission', () => {
    it('a 403 with a good token: run.invoker and the gcloud command for this service', () => {
      const [f] = only(run({ token: google(), response: response(403) }), 'permission');
      assert.match(f?.title ?? '', /roles\/run\.invoker/);
      assert.equal(
        f?.command,
        `gcloud run services add-iam-policy-binding hello --region=us-central1 --member='serviceAccount:${SA}' --role='roles/run.invoker'`,
      );
    });
    it('IAP: httpsResourceAccessor; Cloud Functions: cloudfunctions.invoker; users as user:', () => {
      const iapToken = google({ aud: '1-a.apps.googleusercontent.com', email: 'dev@example.com' });
      const [iap] = only(
        run({ token: iapToken, kind: 'iap', response: response(403) }),
        'permission',
      );
      assert.match(
        iap?.command ?? '',
        /gcloud iap web add-iam-policy-binding .*--member='user:dev@example\.com' --role='roles\/iap\.httpsResourceAccessor'/,
      );
      const fnUrl = 'https://us-central1-demo-project.cloudfunctions.net/hello';
      const [fn] = only(
        run({
          url: fnUrl,
          token: google({ aud: fnUrl.replace('/hello', '') }),
          response: response(403),
        }),
        'permission',
      );
      assert.match(
        fn?.command ?? '',
        /gcloud functions add-iam-policy-binding hello --region=us-central1 --project=demo-project/,
      );
    });
    it('no permission finding when the token itself is at fault', () => {
      assert.deepEqual(
        only(run({ token: google({ exp: NOW - 7200 }), response: response(403) }), 'permission'),
        [],
      );
    });
  });

  describe('outcome', () => {
    it('2xx is accepted; an unexplained 401 says so; offline with nothing wrong says so', () => {
      assert.equal(
        only(run({ token: google(), response: response(200) }), 'outcome')[0]?.severity,
        'ok',
      );
      assert.match(
        only(run({ token: google(), response: response(401) }), 'outcome')[0]?.title ?? '',
        /reason the token does not show/,
      );
      assert.match(run({ token: google() })[0]?.title ?? '', /No problem found/);
    });
    it('findings come most severe first', () => {
      const findings = run({ token: google({ aud: GCLOUD_CLIENT_ID, exp: NOW - 7200 }) });
      assert.deepEqual(
        findings.map((f) => f.severity),
        ['error', 'info'],
      );
    });
  });
});

describe('a call that got no answer', () => {
  const failures: [string, string, RegExp][] = [
    [
      'network',
      'Could not call http://localhost:8080/: connection refused (nothing is listening there).',
      /service is running/,
    ],
    [
      'network',
      'Could not call https://nope.invalid/: the host name could not be resolved (offline, or a typo in the URL).',
      /DNS/,
    ],
    [
      'network',
      "Could not call https://self-signed.example/: TLS failed: the server's certificate was rejected (DEPTH_ZERO_SELF_SIGNED_CERT); the token was not sent.",
      /certificate/,
    ],
    [
      'timeout',
      'https://slow.example/ did not answer within 30 s (tokenExplorer.timeoutSeconds).',
      /timeoutSeconds/,
    ],
    [
      'network',
      'Could not reach the proxy http://127.0.0.1:3128 (http.proxy): connection refused.',
      /http\.proxy/,
    ],
  ];
  for (const [code, message, check] of failures) {
    it(`never ends green: ${code}, ${message.slice(0, 50)}`, () => {
      const findings = run({ token: google(), noAnswer: { code, message } });
      assert.ok(
        findings.every((f) => f.severity !== 'ok'),
        JSON.stringify(findings),
      );
      assert.ok(!findings.some((f) => /No problem found/.test(f.title)));
      const [first] = findings;
      assert.equal(first?.severity, 'error');
      assert.ok(first?.evidence.includes(message), 'says what failed');
      assert.match(first?.fix ?? '', check);
      assert.doesNotMatch(first?.fix ?? '', /Call the service to check/);
    });
  }
  it('a cancelled call is a warning that nothing was checked, not a green result', () => {
    const findings = run({
      token: google(),
      noAnswer: { code: 'cancelled', message: 'The call was cancelled.' },
    });
    assert.equal(findings[0]?.severity, 'warning');
    assert.match(findings[0]?.title ?? '', /not checked/);
  });
  it('token faults still show beside the failure', () => {
    const findings = run({
      token: google({ exp: NOW - 7200 }),
      noAnswer: { code: 'network', message: 'Could not call x: connection refused.' },
    });
    assert.ok(findings.some((f) => f.title === 'The token has expired'));
    assert.ok(findings.some((f) => f.title === 'The service could not be reached'));
  });
});

describe('time rule reads exp as the inspector does', () => {
  for (const exp of ['soon', null, '', true, { at: 1 }, 1e20]) {
    it(`an exp of ${JSON.stringify(exp)} is unreadable, not "no expiry"`, () => {
      const [f] = only(run({ token: google({ exp }) }), 'time');
      assert.equal(f?.title, 'The expiry is unreadable');
      assert.equal(f?.severity, 'error');
    });
  }
  it('an exp or nbf beyond the range of dates does not throw', () => {
    assert.doesNotThrow(() => run({ token: google({ exp: -1e20 }) }));
    assert.match(
      only(run({ token: google({ exp: -1e20 }) }), 'time')[0]?.evidence ?? '',
      /beyond any date/,
    );
    assert.doesNotThrow(() => run({ token: google({ nbf: 1e20 }) }));
  });
});
