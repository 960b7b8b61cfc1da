import * as assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { LocalIssuer } from '../../../../src/core/localIssuer/issuer';
import type { Clock } from '../../../../src/core/ports';
import type { Account, ProviderContext } from '../../../../src/core/providers/provider';
import { localIssuerProvider } from '../../../../src/core/providers/local/localIssuerProvider';
import { MemorySecrets } from '../../../helpers/context';
import { rejectsWith } from '../../helpers/assertions';

function unused(what: string): never {
  throw new Error(`the local issuer provider must not use ${what}`);
}

function context(clock: Clock): ProviderContext {
  return {
    fetch: () => unused('fetch'),
    clock,
    runner: { run: () => unused('the process runner') },
    secrets: new MemorySecrets(),
    files: { readText: () => unused('files') },
    env: { get: () => undefined, homeDir: '/home/test', platform: 'linux' },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    timeoutMs: 1000,
  };
}

const NOW = Date.UTC(2030, 0, 1);
const frozen: Clock = { now: () => NOW };

function account(settings: Record<string, unknown>): Account {
  return { id: 'local', kind: 'local-issuer', settings };
}

describe('local-issuer provider', () => {
  let issuer: LocalIssuer | undefined;
  const provider = localIssuerProvider(() => issuer);

  afterEach(async () => {
    await issuer?.stop();
    issuer = undefined;
  });

  it('is the local-issuer kind', () => {
    assert.equal(provider.kind, 'local-issuer');
    assert.equal(provider.label, 'Local issuer');
  });

  it('says to start the issuer when it is not loaded or not running', async () => {
    const request = { audience: 'http://localhost:8080' };
    await rejectsWith(provider.mint(account({}), request, context(frozen)), 'bad-config', /start/);
    issuer = await LocalIssuer.load(new MemorySecrets(), {});
    await rejectsWith(
      provider.mint(account({}), request, context(frozen)),
      'bad-config',
      /not running: start the local issuer first/,
    );
  });

  it('mints with the request audience as aud and the account settings', async () => {
    issuer = await LocalIssuer.load(new MemorySecrets(), { alg: 'RS256' });
    const url = await issuer.start();
    const minted = await provider.mint(
      account({
        sub: 'alice',
        expiresInSeconds: 120,
        claims: { email: 'alice@example.com', iss: 'https://not-me' },
      }),
      { audience: 'https://api.local' },
      context(frozen),
    );
    const payload = decodeJwt(minted.token);
    assert.equal(payload.iss, url);
    assert.equal(payload.aud, 'https://api.local');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.email, 'alice@example.com');
    assert.equal(payload.exp, NOW / 1000 + 120);
    assert.equal(minted.expiresAt, NOW + 120_000);
  });

  it('mints tokens a relying party verifies, with sub defaulting to test-user', async () => {
    issuer = await LocalIssuer.load(new MemorySecrets(), {});
    const url = await issuer.start();
    const minted = await provider.mint(
      account({}),
      { audience: 'aud-1' },
      context({ now: () => Date.now() }),
    );
    const { payload } = await jwtVerify(minted.token, createRemoteJWKSet(new URL(`${url}/jwks`)), {
      issuer: url,
      audience: 'aud-1',
    });
    assert.equal(payload.sub, 'test-user');
    assert.equal(minted.expiresAt, (payload.exp ?? 0) * 1000);
  });

  it('validates and describes settings', () => {
    assert.deepEqual(provider.validate(account({})), []);
    assert.deepEqual(provider.validate(account({ sub: '', claims: [], expiresInSeconds: '1h' })), [
      '"sub" must be a non-empty string (the test user\'s id).',
      '"claims" must be an object of extra claims, like {"email": "…"}.',
      '"expiresInSeconds" must be a whole number of seconds.',
    ]);
    assert.equal(provider.describe(account({ sub: 'bob' })), 'bob (local issuer)');
    assert.equal(provider.describe(account({})), 'test-user (local issuer)');
  });

  it('refuses bad settings and a cancelled request before minting', async () => {
    issuer = await LocalIssuer.load(new MemorySecrets(), {});
    await issuer.start();
    await rejectsWith(
      provider.mint(account({ claims: 'x' }), { audience: 'a' }, context(frozen)),
      'bad-config',
      /"local" has bad settings: "claims" must be an object/,
    );
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(
      provider.mint(account({}), { audience: 'a', signal: controller.signal }, context(frozen)),
      'cancelled',
      /cancelled/,
    );
  });
});
