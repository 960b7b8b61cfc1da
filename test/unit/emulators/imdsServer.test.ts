import * as assert from 'node:assert/strict';
import { ImdsServer } from '../../emulators/aws/imdsServer';

// The rules the IMDS emulator enforces (each cited in imdsServer.ts), checked with plain fetch.
describe('IMDS emulator (IMDSv1/IMDSv2)', () => {
  let imds: ImdsServer;
  beforeEach(async () => {
    imds = await ImdsServer.start({ availabilityZone: 'eu-west-3c' });
  });
  afterEach(() => imds.stop());

  async function sessionToken(ttl = '300'): Promise<Response> {
    return fetch(imds.sessionTokenUrl, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl },
    });
  }

  it('serves the zone, the role and its credentials with a session token (IMDSv2)', async () => {
    const token = await (await sessionToken()).text();
    const headers = { 'x-aws-ec2-metadata-token': token };
    assert.equal(await (await fetch(imds.regionUrl, { headers })).text(), 'eu-west-3c');
    assert.equal(imds.region, 'eu-west-3');
    const role = await (await fetch(imds.securityCredentialsUrl, { headers })).text();
    assert.equal(role, imds.role?.name);
    const credentials = (await (
      await fetch(`${imds.securityCredentialsUrl}/${role}`, { headers })
    ).json()) as Record<string, string>;
    assert.equal(credentials.Code, 'Success');
    assert.equal(credentials.Type, 'AWS-HMAC');
    assert.equal(credentials.AccessKeyId, imds.role?.accessKeyId);
    assert.match(credentials.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(credentials.SecretAccessKey, imds.role?.secretAccessKey);
    assert.equal(credentials.Token, imds.role?.sessionToken);
    assert.match(credentials.Expiration ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(
      imds.requests.map((r) => [r.method, r.withSessionToken, r.status]),
      [
        ['PUT', false, 200],
        ['GET', true, 200],
        ['GET', true, 200],
        ['GET', true, 200],
      ],
    );
  });

  it('answers GETs without a session token only while IMDSv1 is allowed', async () => {
    assert.equal((await fetch(imds.regionUrl)).status, 200);
    imds.requireSessionToken = true;
    const refused = await fetch(imds.securityCredentialsUrl);
    assert.equal(refused.status, 401);
    assert.equal((await fetch(imds.regionUrl)).status, 401);
  });

  it('refuses an unknown or expired session token with 401', async () => {
    let now = Date.now();
    imds.now = () => now;
    const token = await (await sessionToken('1')).text();
    const withToken = { headers: { 'x-aws-ec2-metadata-token': token } };
    assert.equal((await fetch(imds.regionUrl, withToken)).status, 200);
    now += 1_000;
    assert.equal((await fetch(imds.regionUrl, withToken)).status, 401);
    const forged = { headers: { 'x-aws-ec2-metadata-token': 'forged' } };
    assert.equal((await fetch(imds.regionUrl, forged)).status, 401);
  });

  it('refuses token PUTs without a TTL, out of bounds, forwarded, or as GET', async () => {
    assert.equal((await fetch(imds.sessionTokenUrl, { method: 'PUT' })).status, 400);
    assert.equal((await sessionToken('0')).status, 400);
    assert.equal((await sessionToken('21601')).status, 400);
    assert.equal((await sessionToken('21600')).status, 200);
    const forwarded = await fetch(imds.sessionTokenUrl, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '10.0.0.1' },
    });
    assert.equal(forwarded.status, 403);
    assert.equal((await fetch(imds.sessionTokenUrl)).status, 405);
  });

  it('has 404 for another role and for an instance without a role', async () => {
    assert.equal((await fetch(`${imds.securityCredentialsUrl}/other-role`)).status, 404);
    imds.role = undefined;
    assert.equal((await fetch(imds.securityCredentialsUrl)).status, 404);
  });

  it('logs no token or secret', async () => {
    const token = await (await sessionToken()).text();
    await fetch(`${imds.securityCredentialsUrl}/${imds.role?.name ?? ''}`, {
      headers: { 'x-aws-ec2-metadata-token': token },
    });
    const log = JSON.stringify(imds.requests);
    assert.ok(!log.includes(token));
    assert.ok(!log.includes(imds.role?.secretAccessKey ?? '?'));
  });
});
