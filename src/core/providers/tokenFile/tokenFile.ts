import { TokenExplorerError } from '../../errors';
import { detectIssuerFamily } from '../../jwt/family';
import { peekToken } from '../../jwt/peek';
import { type Remedy, openFileRemedies, withRemedies } from '../../remedies';
import { JWT_SHAPE } from '../cli';
import type { Account, MintedToken, Provider, ProviderContext } from '../provider';
import { assertSettingsValid, nonTextSettings, optionalString } from '../settings';
import { type TokenLocation, wellKnownPlace } from './wellKnown';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Larger than any ID token a platform writes (Kubernetes caps a JWT at a few KB). */
const MAX_FILE_BYTES = 64 * 1024;

/** The location in an account's settings: exactly one of `path`, `pathVariable`, `variable`. */
export function locationOf(account: Account): TokenLocation | undefined {
  const s = account.settings;
  const path = optionalString(s.path);
  const pathVariable = optionalString(s.pathVariable);
  const variable = optionalString(s.variable);
  if (path) return { kind: 'path', path };
  if (pathVariable) return { kind: 'pathVariable', name: pathVariable };
  if (variable) return { kind: 'variable', name: variable };
  return undefined;
}

/** How messages name a location: `$AWS_WEB_IDENTITY_TOKEN_FILE (/var/run/...)` or the path. */
export function shownLocation(location: TokenLocation, file?: string): string {
  switch (location.kind) {
    case 'path':
      return location.path;
    case 'pathVariable':
      return file ? `${file} (from $${location.name})` : `the file named by $${location.name}`;
    case 'variable':
      return `$${location.name}`;
  }
}

/**
 * What a text that is not a JWT holds, in words, without quoting any of it: a PEM block, JSON,
 * an encrypted token, binary data or plain text, and its length.
 */
function describeNonToken(text: string): string {
  const trimmed = text.trim();
  const size = `${trimmed.length} characters`;
  if (trimmed.startsWith('-----BEGIN')) return `a PEM block (a key or certificate), ${size}`;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return `a JSON document, ${size}`;
  if (/^[\w-]+(?:\.[\w-]*){4}$/.test(trimmed)) {
    return 'an encrypted token (JWE, five parts), which cannot be read or inspected';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f]/.test(trimmed)) return `binary data, ${size}`;
  if (/\s/.test(trimmed)) return `text of several words, ${size}`;
  return `a single word of ${size} that is not three dot-separated base64url parts`;
}

/** The file a location names, from the environment for `pathVariable`. */
function filePath(
  location: Exclude<TokenLocation, { kind: 'variable' }>,
  context: ProviderContext,
): string {
  if (location.kind === 'path') return location.path;
  const value = context.env.get(location.name)?.trim();
  if (!value) {
    const place = wellKnownPlace(location);
    throw new TokenExplorerError(
      'no-credentials',
      `The environment variable ${location.name} is ${value === undefined ? 'not set' : 'empty'} in VS Code's environment, so there is no token file to read.${place ? ` ${place.label} sets it in the containers of a configured workload (${place.source}); VS Code must run there (a dev container or remote window in that pod).` : ' Start VS Code where it is set, or set the file path itself in the account.'}`,
    );
  }
  return value;
}

/** The text at the location, re-read on every call; errors say what is missing and why. */
async function readLocation(
  location: TokenLocation,
  context: ProviderContext,
): Promise<{ text: string; where: string }> {
  if (location.kind === 'variable') {
    const value = context.env.get(location.name);
    if (value === undefined) {
      const place = wellKnownPlace(location);
      throw new TokenExplorerError(
        'no-credentials',
        `The environment variable ${location.name} is not set in VS Code's environment.${place ? ` ${place.rotatedBy}, and only inside the run: VS Code must run there.` : ' Start VS Code where it is set.'}`,
      );
    }
    return { text: value, where: shownLocation(location) };
  }
  const file = filePath(location, context);
  const where = shownLocation(location, file);
  const stamp = await context.files.stat?.(file).catch(() => undefined);
  if (stamp && stamp.size > MAX_FILE_BYTES) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${where} is ${stamp.size} bytes, far more than an ID token; check that the path names the token file, not a log or an archive.`,
    );
  }
  let text: string | undefined;
  try {
    text = await context.files.readText(file);
  } catch (error) {
    throw new TokenExplorerError(
      'bad-config',
      `The token file ${where} cannot be read (${error instanceof Error ? error.message : String(error)})${file.startsWith('/var/run/secrets/') ? " A projected token is readable by the container's user only when the pod's securityContext (runAsUser, fsGroup) allows it." : ''}`,
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new TokenExplorerError(
      'no-credentials',
      `The token file ${where} does not exist. ${location.kind === 'path' ? 'Check the path, and that VS Code runs where the file is mounted (a remote window in the pod or VM).' : 'The variable names a file that is not there: the volume holding it may not be mounted in this container.'}`,
    );
  }
  return { text, where };
}

/**
 * The location's text and token; a failure the account's settings can fix (a wrong path or
 * variable, a file that is not the token) carries "Open Account Settings", and one about what a
 * file holds also opens that file.
 */
async function readTokenAt(
  location: TokenLocation,
  context: ProviderContext,
): Promise<ReturnType<typeof peekToken> & { where: string }> {
  let file: string | undefined;
  try {
    if (location.kind !== 'variable') file = filePath(location, context);
    const { text, where } = await readLocation(location, context);
    return { ...readToken(text, where), where };
  } catch (error) {
    const fixes: Remedy[] = [{ kind: 'editAccountSettings' }];
    const content = error instanceof TokenExplorerError && error.code === 'not-a-jwt';
    throw withRemedies(error, content ? [...openFileRemedies(file), ...fixes] : fixes);
  }
}

/** The token in the text: exactly one signed JWT with a payload; otherwise says what it holds. */
function readToken(text: string, where: string): ReturnType<typeof peekToken> {
  const token = text.trim();
  if (token === '') {
    throw new TokenExplorerError(
      'no-token',
      `${where} is empty. The platform writes the token there when the workload starts; if it stays empty, check the volume projection or the variable.`,
    );
  }
  if (!JWT_SHAPE.test(token)) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${where} does not hold a JWT: it holds ${describeNonToken(text)}. Point the account at the file that holds the ID token itself.`,
    );
  }
  const peeked = peekToken(token);
  if (peeked.kind !== 'jws' || peeked.problems.length > 0 || !peeked.payload) {
    throw new TokenExplorerError(
      'not-a-jwt',
      `${where} holds something JWT-shaped that does not decode${peeked.problems[0] ? ` (${peeked.problems[0].message})` : ''}. Check that nothing rewrote the file.`,
    );
  }
  return peeked;
}

/** Who puts a fresh token at the location, for the message about an expired one. */
function rotatedBy(location: TokenLocation, payload: Readonly<Record<string, unknown>>): string {
  const place = wellKnownPlace(location);
  if (place) return `${place.rotatedBy}.`;
  if (detectIssuerFamily(payload) === 'kubernetes') {
    return 'It is a Kubernetes service-account token: the kubelet rewrites projected tokens before they expire, so a stale one means the volume is not a projection or the pod is orphaned; restart the pod.';
  }
  return 'Whatever wrote the file has not renewed it: check the process or job that writes it.';
}

function audiencesOf(payload: Readonly<Record<string, unknown>>): string[] {
  return [payload.aud].flat().filter((aud): aud is string => typeof aud === 'string');
}

/**
 * Reads a JWT that a platform keeps in a file or variable (EKS IRSA and Pod Identity, AKS workload
 * identity, projected Kubernetes tokens, HCP Terraform runs). "Minting" re-reads the location
 * every time, so a refresh sees the rotated token; the token's own `exp` drives the countdown, and
 * its audience is whatever the platform put in it: asking for another one is refused.
 */
export const tokenFileProvider: Provider = {
  kind: 'token-file',
  label: 'Token file',

  async mint(account, request, context): Promise<MintedToken> {
    assertSettingsValid(tokenFileProvider.validate(account), account);
    const location = locationOf(account) as TokenLocation;
    const peeked = await readTokenAt(location, context);
    const { where } = peeked;
    const payload = peeked.payload ?? {};
    const wanted = request.audience.trim();
    const audiences = audiencesOf(payload);
    if (wanted && !audiences.includes(wanted)) {
      throw new TokenExplorerError(
        'bad-config',
        `The token in ${where} is for ${audiences.length > 0 ? audiences.map((a) => `"${a}"`).join(', ') : 'no audience'}, not "${wanted}". The platform that writes the file chooses its audience (the volume projection's audience, the workspace's TFC_WORKLOAD_IDENTITY_AUDIENCE): change it there, or leave the audience empty to take the token as it is.`,
      );
    }
    const exp = peeked.times.exp;
    if (exp === undefined) {
      throw new TokenExplorerError(
        'bad-response',
        `The token in ${where} has no readable exp claim, so its life is unknown. A legacy Kubernetes secret token has none: use a projected service-account token instead.`,
      );
    }
    const expiresAt = Math.round(exp * 1000);
    if (expiresAt <= context.clock.now()) {
      throw new TokenExplorerError(
        'bad-credentials',
        `The token in ${where} expired at ${new Date(expiresAt).toISOString()}. ${rotatedBy(location, payload)}`,
      );
    }
    return { token: peeked.token, expiresAt };
  },

  validate(account) {
    const names = ['path', 'pathVariable', 'variable'] as const;
    const problems = nonTextSettings(account.settings, names);
    if (problems.length > 0) return problems;
    const set = names.filter((name) => optionalString(account.settings[name]) !== undefined);
    if (set.length === 0) {
      problems.push(
        'Set the token file path (e.g. /var/run/secrets/kubernetes.io/serviceaccount/token), a variable naming the file (e.g. AWS_WEB_IDENTITY_TOKEN_FILE), or a variable holding the token.',
      );
    } else if (set.length > 1) {
      problems.push(`Set only one of ${set.join(', ')}: each says where the token is.`);
    }
    const location = locationOf(account);
    if (location?.kind === 'path' && !/^(?:\/|[A-Za-z]:[\\/]|\\\\)/.test(location.path)) {
      problems.push(`The token file path "${location.path}" must be absolute.`);
    }
    if (location && location.kind !== 'path' && !VARIABLE_NAME.test(location.name)) {
      problems.push(
        `"${location.name}" is not a variable name: use letters, digits and underscores, without the leading $.`,
      );
    }
    return problems;
  },

  describe(account) {
    const location = locationOf(account);
    if (!location) return 'Token file: not set';
    return `Token file: ${location.kind === 'path' ? location.path : `$${location.name}`}`;
  },
};
