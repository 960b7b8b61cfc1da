import * as assert from 'node:assert/strict';
import { recogniseCredential } from '../../../../src/core/jwt/credentialKind';
import { extractToken } from '../../../../src/core/jwt/extract';
import { inspectToken } from '../../../../src/core/jwt/inspect';
import { diagnose } from '../../../../src/core/call/diagnose';
import { TokenExplorerError } from '../../../../src/core/errors';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'RS256' })}.${b64({ sub: 'a', exp: 1_900_000_000 })}.c2ln`;

/** The message extractToken throws for a text, and its code. */
function refusal(text: string): { code: string; message: string } {
  try {
    extractToken(text);
  } catch (error) {
    if (error instanceof TokenExplorerError) return { code: error.code, message: error.message };
    throw error;
  }
  assert.fail(`${text.slice(0, 20)} was taken as a token`);
}

// Made-up secrets of each documented shape; the message must name the kind, never echo them.
const SECRET = 'Zq8Xv3Lm0Pk7Rt2Wn5Yb1Hc4Jd6Gf9Se';
const CREDENTIALS: [string, string, RegExp][] = [
  ['Google access token (the report)', 'ya29.a0AfH6SMBx', /Google OAuth 2\.0 access token/],
  ['Google access token, long', `ya29.c.${SECRET}-_${SECRET}`, /Google OAuth 2\.0 access token/],
  ['Google refresh token', `1//0g${SECRET}`, /Google OAuth 2\.0 refresh token/],
  ['Google API key', `AIza${SECRET}abc`, /Google API key/],
  ['GitHub classic PAT', `ghp_${SECRET}abcd`, /GitHub personal access token/],
  ['GitHub fine-grained PAT', `github_pat_11ABCDEFG_${SECRET}`, /GitHub fine-grained/],
  ['GitHub OAuth token', `gho_${SECRET}abcd`, /GitHub OAuth access token/],
  ['GitHub App user token', `ghu_${SECRET}abcd`, /GitHub App user access token/],
  ['GitHub Actions GITHUB_TOKEN', `ghs_${SECRET}abcd`, /ACTIONS_ID_TOKEN_REQUEST_URL/],
  ['GitHub refresh token', `ghr_${SECRET}abcd`, /GitHub refresh token/],
  ['GitLab PAT', `glpat-${SECRET.slice(0, 20)}`, /GitLab personal, project or group/],
  ['GitLab CI job token', `glcbt-64_${SECRET.slice(0, 20)}`, /id_tokens:/],
  ['GitLab deploy token', `gldt-${SECRET.slice(0, 20)}`, /GitLab deploy token/],
  ['GitLab runner token', `glrt-${SECRET.slice(0, 20)}`, /runner/],
  ['Slack bot token', `xoxb-1234567890-1234567890123-${SECRET.slice(0, 24)}`, /Slack token/],
  ['Slack user token', `xoxp-1234567890-1234567890123-${SECRET.slice(0, 24)}`, /Slack token/],
  ['Slack app-level token', `xapp-1-A0123-${SECRET}`, /Slack app-level token/],
  ['AWS long-term access key id', 'AKIAIOSFODNN7EXAMPLE', /AWS access key id \(long-term/],
  ['AWS temporary access key id', 'ASIAY34FZKBOKMUTVV7A', /AWS access key id \(temporary/],
  [
    'Azure SAS',
    `sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2026-12-31T00:00:00Z&sig=${SECRET}%3D`,
    /Azure shared access signature/,
  ],
  ['base64 of a JSON payload alone', b64({ sub: 'abc', exp: 1_900_000_000 }), /single JWT part/],
];

describe('recogniseCredential: what a non-JWT credential is, without echoing it', () => {
  for (const [what, text, kind] of CREDENTIALS) {
    it(`${what}: Inspect Token and Import Token say what it is`, () => {
      const { code, message } = refusal(text);
      assert.equal(code, 'not-a-jwt');
      assert.match(message, kind);
      assert.match(message, /not a JWT/);
      assert.ok(!message.includes(SECRET.slice(0, 12)), `echoes the secret: ${message}`);
      assert.ok(!message.includes(text.slice(8)), `echoes the secret: ${message}`);
      assert.doesNotMatch(message, /dot-separated parts/);
    });
  }

  it('the same with a Bearer prefix, an Authorization header or quotes around it', () => {
    for (const text of [
      'Bearer ya29.a0AfH6SMBx',
      'Authorization: Bearer ghp_Zq8Xv3Lm0Pk7Rt2Wn5Yb1Hc4Jd6Gf9Seabcd',
      '"glpat-Zq8Xv3Lm0Pk7Rt2Wn5Yb"',
    ]) {
      assert.match(refusal(text).message, /This is a (Google|GitHub|GitLab)/, text);
    }
  });

  it('a URL parameter or a token response holding one says so too', () => {
    assert.match(
      refusal('https://app.example/cb#access_token=ya29.a0AfH6SMBx&expires_in=3599').message,
      /Google OAuth 2\.0 access token/,
    );
    const json = refusal('{"access_token":"ya29.a0AfH6SMBx","expires_in":3599}');
    assert.equal(json.code, 'json-without-token');
    assert.match(json.message, /"access_token" field holds a Google OAuth 2\.0 access token/);
    assert.ok(!json.message.includes('a0AfH6SMBx'));
  });

  it('a JWT, a JWE and a broken JWT are still given to the inspector', () => {
    assert.equal(extractToken(JWT).token, JWT);
    assert.equal(inspectToken(`Bearer ${JWT}`).token, JWT);
    const jwe = `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`;
    assert.equal(inspectToken(jwe).kind, 'jwe');
    assert.equal(recogniseCredential(JWT), undefined);
    assert.equal(extractToken('abc.def').token, 'abc.def');
  });

  it('anything else keeps the general message', () => {
    assert.match(refusal('hello world').message, /does not look like a token/);
    assert.match(refusal('just-a-word').message, /does not look like a token/);
  });

  it('Call Service names the same kinds', () => {
    for (const [, text] of CREDENTIALS) {
      const { findings } = diagnose({
        token: text,
        url: 'https://svc-abc123-uc.a.run.app',
        nowSeconds: 1_800_000_000,
        clockSkewSeconds: 60,
      });
      const finding = findings.find((f) => f.rule === 'token-kind');
      assert.equal(
        finding?.title,
        `This is ${recogniseCredential(text)?.what ?? '?'}, not an ID token`,
      );
      assert.ok(!JSON.stringify(finding).includes(SECRET.slice(0, 12)));
    }
  });

  it('is linear on long inputs', function () {
    this.timeout(5000);
    for (const text of [
      `sv=${'a&'.repeat(500_000)}`,
      `ghp_${'a'.repeat(1_000_000)}!`,
      `eyJ${'A'.repeat(1_000_000)}`,
      `${'sv=&'.repeat(200_000)}x`,
    ]) {
      recogniseCredential(text);
    }
  });
});
