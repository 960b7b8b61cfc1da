// Signing shared by the fake CI CLIs (buildkite-agent.mjs, circleci.mjs): RS256 with the key in
// their state, times from the state's `now` (epoch seconds) or the clock. `jose` is resolved from
// the repository's node_modules.
import { SignJWT, importJWK } from 'jose';

/** A compact JWS of `claims` from `state.issuer`, valid `lifetime` seconds from now. */
export async function signToken(state, claims, lifetime) {
  const key = await importJWK(state.signingKey.privateJwk, 'RS256');
  const iat = state.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: state.issuer, ...claims, iat, nbf: iat, exp: iat + lifetime })
    .setProtectedHeader({ alg: 'RS256', kid: state.signingKey.kid, typ: 'JWT' })
    .sign(key);
}

/**
 * CircleCI's claims (https://circleci.com/docs/openid-connect-tokens/): `sub`
 * org/ORG/project/PROJECT/user/USER, V2 with /vcs-origin/ORIGIN/vcs-ref/REF; `aud` the org id.
 */
export function circleciClaims(state, version) {
  const base = `org/${state.organizationId}/project/${state.projectId}/user/${state.userId}`;
  return {
    sub: version === 'v2' ? `${base}/vcs-origin/${state.vcsOrigin}/vcs-ref/${state.vcsRef}` : base,
    aud: state.organizationId,
    'oidc.circleci.com/project-id': state.projectId,
    'oidc.circleci.com/context-ids': [],
    'oidc.circleci.com/org-id': state.organizationId,
    ...(version === 'v2'
      ? {
          'oidc.circleci.com/vcs-origin': state.vcsOrigin,
          'oidc.circleci.com/vcs-ref': state.vcsRef,
        }
      : {}),
  };
}
