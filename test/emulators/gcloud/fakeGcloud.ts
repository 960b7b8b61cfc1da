import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { makeFakeCli } from '../fakeCli';

/** An account gcloud holds credentials for (`gcloud auth list`). */
export interface FakeGcloudAccount {
  readonly email: string;
  readonly type: 'user' | 'service_account';
  /** Numeric id, the `sub` of its ID tokens. */
  readonly uniqueId: string;
}

/** A service account in a project, and who may mint ID tokens for it by impersonation. */
export interface FakeServiceAccount {
  readonly email: string;
  readonly uniqueId: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly disabled?: boolean;
  /** Defaults to the project in the email (`name@PROJECT.iam.gserviceaccount.com`). */
  readonly projectId?: string;
  /**
   * Accounts (users or service accounts) granted roles/iam.serviceAccountTokenCreator: they may
   * mint its access tokens (`iam.serviceAccounts.getAccessToken`) and ID tokens.
   */
  readonly impersonators?: readonly string[];
  /**
   * Accounts granted only roles/iam.serviceAccountOpenIdTokenCreator: enough for
   * generateIdToken, not for gcloud's impersonation, which mints an access token first.
   */
  readonly openIdTokenCreators?: readonly string[];
}

/**
 * `none` behaves normally; `hang` makes print-identity-token never finish; `garbage` makes it
 * print HTML instead of a token; `reauth` fails every credentialed command like an expired
 * session does (non-interactive reauthentication); `reauth-required` like a session that needs a
 * web login again; `key-revoked` like a service account whose key was deleted; `old-release`
 * spells the `--audiences` refusal as releases before 2021 did ("account Type").
 */
export type FakeGcloudFault =
  'none' | 'hang' | 'garbage' | 'reauth' | 'reauth-required' | 'key-revoked' | 'old-release';

/** What a test says about the fake gcloud's world. */
export interface FakeGcloudSetup {
  /** The active account of the default configuration; null when none is selected. */
  readonly activeAccount: string | null;
  readonly accounts: readonly FakeGcloudAccount[];
  readonly project?: string;
  /** Named configurations for `--configuration`. */
  readonly configurations?: Readonly<Record<string, { account?: string; project?: string }>>;
  readonly serviceAccounts?: readonly FakeServiceAccount[];
  /** Projects where `iam service-accounts list` is denied. */
  readonly deniedProjects?: readonly string[];
  readonly fault?: FakeGcloudFault;
  /** Stdout and stderr come out coloured, as through a pipe with FORCE_COLOR (terminalColour.mjs). */
  readonly colour?: boolean;
  /** Defaults to https://accounts.google.com. */
  readonly issuer?: string;
  /** Fixes `iat` (epoch seconds) of minted tokens. */
  readonly now?: number;
}

/** The state file gcloud.mjs reads: the setup plus the signing key. */
export interface FakeGcloudState extends FakeGcloudSetup {
  readonly signingKey: { readonly kid: string; readonly privateJwk: JWK };
}

export interface FakeGcloud {
  /** The executable to run as gcloud: a wrapper that points gcloud.mjs at this state. */
  readonly path: string;
  readonly statePath: string;
  /** The public key set that verifies the tokens it prints. */
  readonly jwks: { keys: JWK[] };
  readonly verifyKey: CryptoKey;
  /** Replaces parts of the state (e.g. the fault) for the following runs. */
  update(changes: Partial<FakeGcloudSetup>): Promise<void>;
  /** The arguments of every run so far, oldest first. */
  calls(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

/**
 * Writes a fake gcloud's state (with a fresh RS256 signing key) to a temp folder, and a wrapper
 * executable that runs test/emulators/gcloud/gcloud.mjs with it. Point `gcloudPath` (or the
 * `tokenExplorer.gcloud.path` setting) at `path`.
 */
export async function makeFakeGcloud(setup: FakeGcloudSetup): Promise<FakeGcloud> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(20).toString('hex');
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const { path, statePath, update, calls, cleanup } = await makeFakeCli<FakeGcloudState>({
    name: 'gcloud',
    script: 'gcloud/gcloud.mjs',
    stateEnv: 'FAKE_GCLOUD_STATE',
    logEnv: 'FAKE_GCLOUD_LOG',
    state: { ...setup, signingKey: { kid, privateJwk } },
  });
  return {
    path,
    statePath,
    jwks: { keys: [publicJwk] },
    verifyKey: publicKey,
    update,
    calls,
    cleanup,
  };
}
