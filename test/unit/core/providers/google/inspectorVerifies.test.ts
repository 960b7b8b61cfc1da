// Tokens minted by each Google provider, checked by the inspector's own verifier (discovery-less
// Google issuer mapped to the emulator's JWKS), as a user would see them in the Token Inspector.
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { JwksCache } from '../../../../../src/core/jwt/jwks';
import { verifySignature } from '../../../../../src/core/jwt/verify';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { secretKey } from '../../../../../src/core/providers/provider';
import { impersonationProvider } from '../../../../../src/core/providers/google/impersonation';
import { metadataProvider } from '../../../../../src/core/providers/google/metadata';
import {
  importServiceAccountKey,
  serviceAccountKeyProvider,
} from '../../../../../src/core/providers/google/serviceAccountKey';
import { userIdentityProvider } from '../../../../../src/core/providers/google/userIdentity';
import { GoogleApis } from '../../../../emulators/google/googleApis';
import { MemorySecrets, testContext } from '../../../../helpers/context';
import { MetadataServer } from '../../../../emulators/google/metadataServer';

const AUDIENCE = 'https://verify-me-abc123-uc.a.run.app';
const GOOGLE = 'https://accounts.google.com';

describe('minted Google tokens pass the inspector verifier', () => {
  let apis: GoogleApis;
  let metadata: MetadataServer;
  let dir: string;
  let context: ProviderContext;
  let secrets: MemorySecrets;
  let keySettings: Record<string, unknown>;

  before(async () => {
    apis = await GoogleApis.start();
    metadata = await MetadataServer.start();
    dir = await mkdtemp(join(tmpdir(), 'te-verify-'));
    const user = await apis.addUser({ email: 'dev@example.com' });
    const target = await apis.addServiceAccount({
      email: 'invoker@proj.iam.gserviceaccount.com',
      withKey: true,
    });
    apis.allow(user.email, target.email);
    const adc = join(dir, 'adc.json');
    await writeFile(adc, user.adcJson);
    secrets = new MemorySecrets();
    const imported = await importServiceAccountKey(target.keyFile, 'key.json');
    await secrets.store(secretKey('key', 'serviceAccountKey'), imported.secret);
    keySettings = { ...imported.settings, tokenUri: apis.tokenUrl };
    context = testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: adc }, secrets });
  });

  after(async () => {
    await apis.stop();
    await metadata.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The inspector's check, with Google's issuer mapped to a JWKS URL (as the setting does). */
  async function inspectorVerdict(token: string, jwksUrl: string) {
    const jwks = new JwksCache(
      fetch,
      { now: () => Date.now() },
      {
        timeoutMs: 2000,
        jwksOverrides: () => ({ [GOOGLE]: jwksUrl }),
      },
    );
    const inspection = inspectToken(token);
    return {
      inspection,
      outcome: await verifySignature(inspection, {
        keySource: { kind: 'issuer' },
        jwks,
        allowNetwork: true,
      }),
    };
  }

  const cases: [string, () => Account, string | (() => string)][] = [
    [
      'google-impersonation',
      () => ({
        id: 'imp',
        kind: 'google-impersonation',
        settings: {
          targetServiceAccount: 'invoker@proj.iam.gserviceaccount.com',
          iamCredentialsEndpoint: apis.url,
        },
      }),
      AUDIENCE,
    ],
    [
      'google-service-account-key',
      () => ({
        id: 'key',
        kind: 'google-service-account-key',
        settings: keySettings,
      }),
      AUDIENCE,
    ],
    ['google-user', () => ({ id: 'me', kind: 'google-user', settings: {} }), ''],
  ];
  const providers = {
    'google-impersonation': impersonationProvider,
    'google-service-account-key': serviceAccountKeyProvider,
    'google-user': userIdentityProvider,
  } as const;

  for (const [kind, account, audience] of cases) {
    it(`${kind}: verified against the emulator's JWKS, claims explained as Google's`, async () => {
      const provider = providers[kind as keyof typeof providers];
      const minted = await provider.mint(account(), { audience: audience as string }, context);
      const { inspection, outcome } = await inspectorVerdict(minted.token, apis.jwksUrl);
      assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
      assert.equal(inspection.issuer, GOOGLE);
      assert.equal(inspection.times.exp, minted.expiresAt / 1000);
      const azp = inspection.claimRows.find((row) => row.name === 'azp');
      assert.equal(azp?.source, 'google');
    });
  }

  it('google-metadata: verified with the metadata server key supplied as a JWKS', async () => {
    const minted = await metadataProvider.mint(
      { id: 'vm', kind: 'google-metadata', settings: { endpoint: metadata.url } },
      { audience: AUDIENCE },
      context,
    );
    const inspection = inspectToken(minted.token);
    const jwks = new JwksCache(fetch, { now: () => Date.now() }, { timeoutMs: 2000 });
    const outcome = await verifySignature(inspection, {
      keySource: { kind: 'jwks', json: JSON.stringify(metadata.jwks()) },
      jwks,
      allowNetwork: false,
    });
    assert.equal(outcome.status, 'verified', JSON.stringify(outcome));
    assert.ok(inspection.claimRows.some((row) => row.name === 'google.compute_engine.project_id'));
  });

  it('a token from another key is reported as not matching, not as verified', async () => {
    const minted = await metadataProvider.mint(
      { id: 'vm', kind: 'google-metadata', settings: { endpoint: metadata.url } },
      { audience: AUDIENCE },
      context,
    );
    const { outcome } = await inspectorVerdict(minted.token, apis.jwksUrl);
    assert.equal(outcome.status, 'no-matching-key', JSON.stringify(outcome));
  });
});
