import { TokenExplorerError } from '../errors';
import { JWT_SHAPE, tokenFromStdout } from './cli';
import { peekToken } from '../jwt/peek';
import type { Clock, Environment } from '../ports';
import type { MintedToken } from './provider';

/**
 * Shared by the CI sources whose job hands out ID tokens (Bitbucket Pipelines, CircleCI, Azure
 * Pipelines, Buildkite): reading a token the job put in a variable or a service answered, and
 * refusing an audience the token was not minted for.
 */

/** A job's token as read: the compact JWT, its claims and when it expires. */
export interface JobToken extends MintedToken {
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The audiences of a payload, `aud` as a string or a list. */
export function audiencesOf(payload: Readonly<Record<string, unknown>>): string[] {
  return [payload.aud].flat().filter((aud): aud is string => typeof aud === 'string');
}

/**
 * `text` as a job token: exactly one compact JWS with an `exp` still in the future. Errors name
 * `where` (e.g. "$BITBUCKET_STEP_OIDC_TOKEN") and `system`, never the text itself.
 * @throws TokenExplorerError `not-a-jwt`, `bad-response` (no `exp`), `bad-credentials` (expired).
 */
export function jobTokenFrom(
  text: string,
  where: string,
  system: string,
  clock: Clock,
  rerun: string,
): JobToken {
  const token = text.trim();
  if (!JWT_SHAPE.test(token)) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${where} does not hold a JWT (${token.length} characters). It should hold the ID token ${system} gave the job, unchanged.`,
    );
  }
  const inspection = peekToken(token);
  if (inspection.kind !== 'jws' || inspection.problems.length > 0 || !inspection.payload) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${where} holds something JWT-shaped that does not decode as a signed token${inspection.problems[0] ? ` (${inspection.problems[0].message})` : ''}. It should be the ID token ${system} gave the job, unchanged.`,
    );
  }
  const exp = inspection.times.exp;
  if (exp === undefined) {
    throw new TokenExplorerError(
      'bad-response',
      `The token in ${where} has no readable exp claim, which ${system} ID tokens always carry.`,
    );
  }
  const expiresAt = Math.round(exp * 1000);
  if (expiresAt <= clock.now()) {
    throw new TokenExplorerError(
      'bad-credentials',
      `The token in ${where} expired at ${new Date(expiresAt).toISOString()}. ${rerun}`,
    );
  }
  return { token, expiresAt, payload: inspection.payload };
}

/**
 * The job token a CI's CLI printed: what is not one token is the CLI's output problem
 * (`tokenFromStdout`, naming `cli.command` to run by hand), then {@link jobTokenFrom}'s checks.
 */
export function jobTokenFromCli(
  stdout: string,
  cli: { readonly tool: string; readonly command: string },
  system: string,
  clock: Clock,
  rerun: string,
): JobToken {
  const printed = tokenFromStdout(stdout, cli);
  return jobTokenFrom(printed.token, `the output of ${cli.command}`, system, clock, rerun);
}

/**
 * The token in an environment variable of the job.
 * @param missing what to tell the user when the variable is not set (how the job gets it).
 */
export function jobTokenFromVariable(
  env: Pick<Environment, 'get'>,
  variable: string,
  system: string,
  clock: Clock,
  hints: { readonly missing: string; readonly rerun: string },
): JobToken {
  const value = env.get(variable)?.trim();
  if (!value) {
    throw new TokenExplorerError(
      'no-credentials',
      `${variable} is ${value === undefined ? 'not set' : 'empty'}. ${hints.missing}`,
    );
  }
  return jobTokenFrom(value, `$${variable}`, system, clock, hints.rerun);
}

/**
 * Refuses a requested audience the token does not carry (an empty request takes the token as it
 * is). `fix` says how the job gets a token for another audience.
 * @throws TokenExplorerError `bad-config`.
 */
export function requireAudience(token: JobToken, wanted: string, where: string, fix: string): void {
  const audiences = audiencesOf(token.payload);
  if (!wanted || audiences.includes(wanted)) return;
  const have = audiences.length > 0 ? audiences.map((a) => `"${a}"`).join(', ') : 'no audience';
  throw new TokenExplorerError(
    'bad-config',
    `The token in ${where} is for ${have}, not "${wanted}". ${fix} Or leave the audience empty to take the token as it is.`,
  );
}

/** Whether a variable holds something shaped like a JWT (for detection; never throws). */
export function holdsJwt(env: Pick<Environment, 'get'>, variable: string): boolean {
  return JWT_SHAPE.test(env.get(variable)?.trim() ?? '');
}
