import type { Environment } from '../../ports';
import { holdsJwt, jobTokenFromVariable, requireAudience } from '../jobToken';
import type { Provider } from '../provider';

/**
 * The step's ID token: Bitbucket sets it only for steps with `oidc: true`
 * (https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/).
 */
export const BITBUCKET_TOKEN_VARIABLE = 'BITBUCKET_STEP_OIDC_TOKEN';
const SYSTEM = 'Bitbucket Pipelines';

/** Whether this process runs in a Bitbucket Pipelines step that has an ID token. */
export function bitbucketTokenAvailable(env: Pick<Environment, 'get'>): boolean {
  return holdsJwt(env, BITBUCKET_TOKEN_VARIABLE);
}

/**
 * Reads the ID token Bitbucket Pipelines gives a step with `oidc: true`. Bitbucket has no API
 * that mints one on request: the audiences are fixed in bitbucket-pipelines.yml (`oidc:
 * audiences:`, up to 10, https://www.atlassian.com/blog/bitbucket/bitbucket-pipelines-oidc-now-supports-multiple-audiences),
 * so a request for another audience is refused with that fix. Re-read at each refresh.
 */
export const bitbucketPipelinesProvider: Provider = {
  kind: 'bitbucket-pipelines',
  label: 'Bitbucket Pipelines: step ID token',

  async mint(_account, request, context) {
    const token = jobTokenFromVariable(
      context.env,
      BITBUCKET_TOKEN_VARIABLE,
      SYSTEM,
      context.clock,
      {
        missing:
          'Bitbucket sets it only in pipeline steps with "oidc: true" in bitbucket-pipelines.yml; run VS Code (or code-server) from such a step to use this account.',
        rerun:
          'Bitbucket step tokens are valid for the step only; run the step again for a fresh one.',
      },
    );
    requireAudience(
      token,
      request.audience.trim(),
      `$${BITBUCKET_TOKEN_VARIABLE}`,
      `Bitbucket fixes the audiences in bitbucket-pipelines.yml, not at request time: list it under the step's "oidc: audiences:" and run the pipeline again.`,
    );
    return { token: token.token, expiresAt: token.expiresAt };
  },

  // Nothing to set: the step's environment says everything.
  validate() {
    return [];
  },

  describe() {
    return `Bitbucket Pipelines: $${BITBUCKET_TOKEN_VARIABLE}`;
  },
};
