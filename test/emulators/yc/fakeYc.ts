import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { makeFakeCli } from '../fakeCli';

/** A yc configuration profile (`~/.config/yandex-cloud/config.yaml`), without its secrets. */
export interface FakeYcProfile {
  /** Whether the profile holds credentials (a token, a service-account key or a federation). */
  readonly hasToken: boolean;
  /** The credentials are there but Yandex no longer accepts them (an expired OAuth token). */
  readonly tokenExpired?: boolean;
  /** The profile's `folder-id`, used by `service-account list` without `--folder-id`. */
  readonly folderId?: string;
  readonly cloudId?: string;
}

/** A service account, and which profiles may create ID tokens for it. */
export interface FakeYcServiceAccount {
  /** 20 characters, `aje...`; the `sub` of its ID tokens. */
  readonly id: string;
  readonly name: string;
  readonly folderId: string;
  /** RFC 3339, e.g. 2024-09-08T18:59:45Z. */
  readonly createdAt: string;
  readonly description?: string;
  readonly lastAuthenticatedAt?: string;
  /** Profiles whose account holds a role that allows creating tokens for this account. */
  readonly tokenCreators?: readonly string[];
}

/**
 * `none` behaves normally; `hang` makes create-id-token never finish; `garbage` makes it print
 * HTML instead of a token.
 */
export type FakeYcFault = 'none' | 'hang' | 'garbage';

/** What a test says about the fake yc's world. */
export interface FakeYcSetup {
  /** Profile name → profile. */
  readonly profiles: Readonly<Record<string, FakeYcProfile>>;
  /** The active profile; null when none is (yc then fails every command). */
  readonly activeProfile: string | null;
  readonly serviceAccounts?: readonly FakeYcServiceAccount[];
  /** Folders where `iam service-account list` is denied. */
  readonly deniedFolders?: readonly string[];
  readonly fault?: FakeYcFault;
  /** Stdout and stderr come out coloured, as through a pipe with FORCE_COLOR (terminalColour.mjs). */
  readonly colour?: boolean;
  /** Defaults to https://auth.cloud.yandex.com, the issuer Yandex's ID-token docs give. */
  readonly issuer?: string;
  /** Key case of `service-account list --format json`: yc's snake_case unless `camel`. */
  readonly listKeyCase?: 'snake' | 'camel';
  /** Fixes `iat` (epoch seconds) of minted tokens. */
  readonly now?: number;
  /** The signing algorithm, RS256 unless PS256; chosen when the fake is made. */
  readonly algorithm?: 'RS256' | 'PS256';
}

/** The state file yc.mjs reads: the setup plus the signing key. */
export interface FakeYcState extends FakeYcSetup {
  readonly signingKey: { readonly kid: string; readonly alg: string; readonly privateJwk: JWK };
}

export interface FakeYc {
  /** The executable to run as yc: a wrapper that points yc.mjs at this state. */
  readonly path: string;
  readonly statePath: string;
  /** The public key set that verifies the tokens it prints. */
  readonly jwks: { keys: JWK[] };
  /** Replaces parts of the state (e.g. the fault) for the following runs. */
  update(changes: Partial<FakeYcSetup>): Promise<void>;
  /** The arguments of every run so far, oldest first. */
  calls(): Promise<string[][]>;
  cleanup(): Promise<void>;
}

/**
 * Writes a fake yc's state (with a fresh signing key, RS256 unless the setup says PS256) to a
 * temp folder, and a wrapper executable that runs test/emulators/yc/yc.mjs with it. Point
 * `ycPath` (or the `tokenExplorer.yc.path` setting) at `path`.
 */
export async function makeFakeYc(setup: FakeYcSetup): Promise<FakeYc> {
  const algorithm = setup.algorithm ?? 'RS256';
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  // Yandex key ids look like resource ids.
  const kid = `aje${randomBytes(9).toString('hex').slice(0, 17)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: algorithm };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
  const { path, statePath, update, calls, cleanup } = await makeFakeCli<FakeYcState>({
    name: 'yc',
    script: 'yc/yc.mjs',
    stateEnv: 'FAKE_YC_STATE',
    logEnv: 'FAKE_YC_LOG',
    state: { ...setup, signingKey: { kid, alg: algorithm, privateJwk } },
  });
  return { path, statePath, jwks: { keys: [publicJwk] }, update, calls, cleanup };
}
