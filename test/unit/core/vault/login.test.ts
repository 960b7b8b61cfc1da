import assert from 'node:assert/strict';
import { TokenExplorerError } from '../../../../src/core/errors';
import { vaultLogin } from '../../../../src/core/vault/login';
import { makeCertificateAuthority } from '../../../emulators/kubernetes/apiServer';
import { OidcIssuer } from '../../../emulators/oidcIssuer';
import { VaultServer } from '../../../emulators/vault/vaultServer';

const ROLE = {
  user_claim: 'sub',
  bound_audiences: ['https://vault.example.com'],
  bound_claims: { project_path: 'my-group/my-project' },
  claim_mappings: { project_path: 'project' },
  token_policies: ['ci-read'],
  token_ttl: 3600,
};

describe('Vault JWT login', () => {
  let issuer: OidcIssuer;
  let vault: VaultServer;
  let good: string;

  before(async () => {
    issuer = await OidcIssuer.start();
    vault = await VaultServer.start();
    await vault.mountTrusting('jwt', issuer.jwksUrl, {
      roles: {
        ci: ROLE,
        browser: { ...ROLE, role_type: 'oidc' },
        cidr: { ...ROLE, token_bound_cidrs: ['10.0.0.0/8'] },
      },
    });
    await vault.mountTrusting('gitlab', issuer.jwksUrl, {
      namespace: 'team-a',
      roles: { ci: ROLE },
    });
    good = await issuer.sign({
      sub: 'project_path:my-group/my-project',
      aud: 'https://vault.example.com',
      project_path: 'my-group/my-project',
    });
  });
  after(async () => {
    await vault.stop();
    await issuer.stop();
  });
  beforeEach(() => {
    vault.sealed = false;
  });

  const login = (jwt: string, options: Partial<Parameters<typeof vaultLogin>[0]> = {}) =>
    vaultLogin({ address: vault.url, role: 'ci', timeoutMs: 5000, ...options }, jwt);

  it('logs in at the default mount and returns policies, TTL and renewable', async () => {
    const result = await login(good);
    assert.match(result.clientToken, /^hvs\./);
    assert.deepEqual(result.policies, ['default', 'ci-read']);
    assert.equal(result.leaseDuration, 3600);
    assert.equal(result.renewable, true);
    assert.deepEqual(result.metadata, { project: 'my-group/my-project', role: 'ci' });
    assert.equal(vault.logins.at(-1)?.path, '/v1/auth/jwt/login');
  });

  it('sends the namespace header and uses the mount given', async () => {
    await login(good, { mount: 'gitlab', namespace: 'team-a' });
    assert.deepEqual(vault.logins.at(-1), {
      path: '/v1/auth/gitlab/login',
      namespace: 'team-a',
      role: 'ci',
    });
    await assert.rejects(
      login(good, { mount: 'gitlab' }),
      /no handler for route.*mount path.*namespace/s,
    );
  });

  const refusals: [string, () => Promise<string>, string | undefined, RegExp][] = [
    [
      'audience',
      () => issuer.sign({ sub: 's', aud: 'other', project_path: 'my-group/my-project' }),
      undefined,
      /invalid audience \(aud\) claim.*bound_audiences/s,
    ],
    [
      'bound claim',
      () => issuer.sign({ sub: 's', aud: 'https://vault.example.com', project_path: 'x/y' }),
      undefined,
      /claim \\?"project_path\\?" does not match.*bound claim/s,
    ],
    [
      'missing bound claim',
      () => issuer.sign({ sub: 's', aud: 'https://vault.example.com' }),
      undefined,
      /is missing/,
    ],
    [
      'expired',
      () =>
        issuer.sign({
          sub: 's',
          aud: 'https://vault.example.com',
          project_path: 'my-group/my-project',
          exp: Math.floor(Date.now() / 1000) - 600,
        }),
      undefined,
      /token is expired.*fresh token/s,
    ],
    ['unknown role', async () => good, 'nope', /role "nope" could not be found.*role name/s],
    ['oidc role', async () => good, 'browser', /oidc role_type is not allowed/],
    ['bound CIDRs', async () => good, 'cidr', /HTTP 403.*permission denied.*token_bound_cidrs/s],
  ];
  for (const [name, token, role, message] of refusals) {
    it(`explains a refusal: ${name}`, async () => {
      const jwt = await token();
      await assert.rejects(login(jwt, role ? { role } : {}), (error: unknown) => {
        assert.ok(error instanceof TokenExplorerError);
        assert.equal(error.code, 'permission-denied');
        assert.match(error.message, message);
        assert.ok(!error.message.includes(jwt), 'the token is not in the message');
        return true;
      });
    });
  }

  it('reports a sealed Vault and a wrong signature', async () => {
    vault.sealed = true;
    await assert.rejects(login(good), /Vault is sealed/);
    vault.sealed = false;
    const other = await OidcIssuer.start();
    try {
      const foreign = await other.sign({ sub: 's', aud: 'https://vault.example.com' });
      await assert.rejects(login(foreign), /verifying token signature.*jwks_url/s);
    } finally {
      await other.stop();
    }
  });

  it('refuses a bad address, and a server that is not Vault', async () => {
    await assert.rejects(login(good, { address: 'vault:8200' }), /is not a URL/);
    await assert.rejects(
      login(good, { address: 'ftp://vault:8200' }),
      /must start with https:\/\//,
    );
    await assert.rejects(
      login(good, { address: issuer.url }),
      (error: unknown) => error instanceof TokenExplorerError,
    );
  });

  describe('over TLS', () => {
    let ca: Awaited<ReturnType<typeof makeCertificateAuthority>>;
    let tls: { url: string; stop: () => Promise<void> };
    before(async () => {
      ca = await makeCertificateAuthority();
      tls = await vault.startTls(await ca.issue('server', 'vault', { names: ['IP:127.0.0.1'] }));
    });
    after(async () => {
      await tls.stop();
      await ca.cleanup();
    });
    it('trusts the configured CA certificate', async () => {
      const result = await login(good, { address: tls.url, caCertificate: ca.certPem });
      assert.deepEqual(result.policies, ['default', 'ci-read']);
    });
    it('without it, says to set the CA setting', async () => {
      await assert.rejects(
        login(good, { address: tls.url }),
        /tokenExplorer\.vault\.caCertificate/,
      );
    });
  });
});
