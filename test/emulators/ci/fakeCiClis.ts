import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK } from 'jose';
import { makeFakeCli } from '../fakeCli';
import type { FakeCli } from '../fakeCli';

/** The RS256 key a fake signs with, and the key set that verifies its tokens. */
interface SigningKey {
  readonly kid: string;
  readonly privateJwk: JWK;
}

async function signingKey(): Promise<{ signingKey: SigningKey; jwks: { keys: JWK[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBytes(8).toString('hex');
  return {
    signingKey: { kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' } },
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] },
  };
}

/** What a test says about the Buildkite job the fake agent runs in. */
export interface FakeBuildkiteSetup {
  /** The agent's access token for the job; runs with another one get the Agent API's 401. */
  readonly agentAccessToken: string;
  readonly issuer?: string;
  readonly organizationSlug?: string;
  readonly organizationId?: string;
  readonly pipelineSlug?: string;
  readonly pipelineId?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly stepKey?: string;
  readonly agentId?: string;
  readonly now?: number;
}

export interface FakeBuildkiteAgent extends FakeCli<
  FakeBuildkiteSetup & { signingKey: SigningKey }
> {
  readonly jwks: { keys: JWK[] };
}

/**
 * A fake `buildkite-agent` (test/emulators/ci/buildkite-agent.mjs) for one job; the issuer is
 * https://agent.buildkite.com unless the setup says otherwise.
 */
export async function makeFakeBuildkiteAgent(
  setup: FakeBuildkiteSetup,
): Promise<FakeBuildkiteAgent> {
  const { signingKey: key, jwks } = await signingKey();
  const cli = await makeFakeCli({
    name: 'buildkite-agent',
    script: 'ci/buildkite-agent.mjs',
    stateEnv: 'FAKE_BUILDKITE_STATE',
    logEnv: 'FAKE_BUILDKITE_LOG',
    state: {
      issuer: 'https://agent.buildkite.com',
      organizationSlug: 'acme-inc',
      organizationId: randomUUID(),
      pipelineSlug: 'super-duper-app',
      pipelineId: randomUUID(),
      branch: 'main',
      commit: '9f3182061f1e2cca4702c368cbc039b7dc9d4485',
      stepKey: 'build',
      agentId: randomUUID(),
      ...setup,
      signingKey: key,
    },
  });
  return { ...cli, jwks };
}

/** What a test says about the CircleCI job: its organization, project and user. */
export interface FakeCircleciSetup {
  readonly organizationId?: string;
  readonly projectId?: string;
  readonly userId?: string;
  readonly vcsOrigin?: string;
  readonly vcsRef?: string;
  readonly now?: number;
}

type CircleciState = Required<Omit<FakeCircleciSetup, 'now'>> & {
  readonly now?: number;
  readonly issuer: string;
  readonly signingKey: SigningKey;
};

export interface FakeCircleci extends FakeCli<CircleciState> {
  readonly jwks: { keys: JWK[] };
  readonly issuer: string;
  readonly organizationId: string;
  /** The job's `CIRCLE_OIDC_TOKEN_V2` or `CIRCLE_OIDC_TOKEN`, signed like the CLI's tokens. */
  jobToken(version: 'v1' | 'v2', lifetimeSeconds?: number): Promise<string>;
}

/**
 * A fake CircleCI CLI (test/emulators/ci/circleci.mjs) and the job's own tokens, all signed by
 * one key under https://oidc.circleci.com/org/ORG_ID.
 */
export async function makeFakeCircleci(setup: FakeCircleciSetup = {}): Promise<FakeCircleci> {
  const { signingKey: key, jwks } = await signingKey();
  const organizationId = setup.organizationId ?? randomUUID();
  const state: CircleciState = {
    organizationId,
    projectId: setup.projectId ?? randomUUID(),
    userId: setup.userId ?? randomUUID(),
    vcsOrigin: setup.vcsOrigin ?? 'github.com/acme/app',
    vcsRef: setup.vcsRef ?? 'refs/heads/main',
    ...(setup.now !== undefined ? { now: setup.now } : {}),
    issuer: `https://oidc.circleci.com/org/${organizationId}`,
    signingKey: key,
  };
  const cli = await makeFakeCli({
    name: 'circleci',
    script: 'ci/circleci.mjs',
    stateEnv: 'FAKE_CIRCLECI_STATE',
    logEnv: 'FAKE_CIRCLECI_LOG',
    state,
  });
  return {
    ...cli,
    jwks,
    issuer: state.issuer,
    organizationId,
    async jobToken(version, lifetimeSeconds = 3600) {
      const base = `org/${state.organizationId}/project/${state.projectId}/user/${state.userId}`;
      const iat = state.now ?? Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: state.issuer,
        sub:
          version === 'v2' ? `${base}/vcs-origin/${state.vcsOrigin}/vcs-ref/${state.vcsRef}` : base,
        aud: state.organizationId,
        'oidc.circleci.com/project-id': state.projectId,
        'oidc.circleci.com/context-ids': [],
        iat,
        exp: iat + lifetimeSeconds,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .sign(await importJWK(key.privateJwk, 'RS256'));
    },
  };
}
