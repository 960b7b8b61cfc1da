import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { makeFakeCli } from '../fakeCli';
import type { FakeCli } from '../fakeCli';

/** What a test says about the signed-in Azure CLI. */
export interface FakeAzSetup {
  readonly loggedIn: boolean;
  /** Resources (Application ID URIs or client ids) the tenant knows. */
  readonly resources: readonly string[];
  readonly tenant?: string;
  readonly subscription?: string;
  readonly user?: string;
  readonly objectId?: string;
  /** An az before 2.54: no `expires_on`, only the local `expiresOn`. */
  readonly oldCli?: boolean;
  readonly now?: number;
}

type FakeAzState = FakeAzSetup & { readonly signingKey: { kid: string; privateJwk: JWK } };

export interface FakeAz extends FakeCli<FakeAzState> {
  readonly jwks: { keys: JWK[] };
  readonly tenant: string;
}

/** A fake `az` (test/emulators/azure/az.mjs) signed in to one tenant. */
export async function makeFakeAz(setup: FakeAzSetup): Promise<FakeAz> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(20).toString('base64url');
  const tenant = setup.tenant ?? randomUUID();
  const cli = await makeFakeCli<FakeAzState>({
    name: 'az',
    script: 'azure/az.mjs',
    stateEnv: 'FAKE_AZ_STATE',
    logEnv: 'FAKE_AZ_LOG',
    state: {
      subscription: randomUUID(),
      user: 'dev@contoso.example',
      objectId: randomUUID(),
      ...setup,
      tenant,
      signingKey: { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' } },
    },
  });
  return {
    ...cli,
    tenant,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256' }] },
  };
}
