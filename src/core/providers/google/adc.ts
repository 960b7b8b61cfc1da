import { posix, win32 } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import type { CryptoKey } from 'jose';
import { TokenExplorerError } from '../../errors';
import { httpFailure, postForm, postJson } from '../../http';
import { decodeCompact } from '../../jwt/decode';
import { peekToken } from '../../jwt/peek';
import type { Environment } from '../../ports';
import type { MintedToken, ProviderContext } from '../provider';
import { metadataAccessToken, probeMetadataServer } from './metadata';

/** Google's OAuth 2.0 token endpoint, the default `token_uri`. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Google's security token service, the default `token_url` of `external_account`. */
export const GOOGLE_STS_URL = 'https://sts.googleapis.com/v1/token';
/** The scope every access token here asks for. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Refresh access tokens this long before they expire, as the official clients do. */
export const EAGER_REFRESH_MS = 5 * 60_000;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ADC_LOGIN = 'gcloud auth application-default login';

/** `authorized_user`: a user's refresh token from `gcloud auth application-default login`. */
export interface AuthorizedUserCredentials {
  readonly type: 'authorized_user';
  /** The file (or setting) the credentials came from, for messages. */
  readonly from: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly tokenUri: string;
  readonly quotaProjectId?: string;
  readonly account?: string;
}

/** `service_account`: a service-account key file. */
export interface ServiceAccountCredentials {
  readonly type: 'service_account';
  readonly from: string;
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly privateKeyId: string;
  readonly tokenUri: string;
  readonly projectId?: string;
  readonly clientId?: string;
}

/** `impersonated_service_account`: source credentials acting as another service account. */
export interface ImpersonatedCredentials {
  readonly type: 'impersonated_service_account';
  readonly from: string;
  readonly serviceAccountImpersonationUrl: string;
  /** The email (or unique id) in the impersonation URL. */
  readonly targetPrincipal: string;
  readonly sourceCredentials: GoogleCredentials;
  /** Resource names `projects/-/serviceAccounts/X`. */
  readonly delegates: readonly string[];
  readonly quotaProjectId?: string;
}

/** How an `external_account` subject token is laid out. */
export interface SubjectTokenFormat {
  readonly type: 'text' | 'json';
  readonly subjectTokenFieldName?: string;
}

/** Where an `external_account` reads its subject token. */
export type CredentialSource =
  | { readonly kind: 'file'; readonly file: string; readonly format: SubjectTokenFormat }
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly format: SubjectTokenFormat;
    }
  | {
      readonly kind: 'executable';
      readonly command: string;
      readonly timeoutMillis: number;
      readonly outputFile?: string;
    };

/** `external_account`: workload identity federation through the security token service. */
export interface ExternalAccountCredentials {
  readonly type: 'external_account';
  readonly from: string;
  readonly audience: string;
  readonly subjectTokenType: string;
  readonly tokenUrl: string;
  readonly credentialSource: CredentialSource;
  readonly serviceAccountImpersonationUrl?: string;
  readonly impersonationLifetimeSeconds?: number;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly workforcePoolUserProject?: string;
}

/** Every credential file type Application Default Credentials accepts. */
export type GoogleCredentials =
  | AuthorizedUserCredentials
  | ServiceAccountCredentials
  | ImpersonatedCredentials
  | ExternalAccountCredentials;

/** The credentials of the metadata server's attached service account. */
export interface MetadataCredentials {
  readonly type: 'metadata';
}

/** An OAuth access token and when it expires (ms since the epoch). */
export interface AccessToken {
  readonly accessToken: string;
  readonly expiresAt: number;
}

/** Where Application Default Credentials were found. */
export interface AdcLocation {
  readonly source: 'env' | 'gcloud-adc-file' | 'metadata';
  readonly path?: string;
  readonly credentials?: GoogleCredentials;
}

type Json = Record<string, unknown>;

function badCredentials(from: string, problem: string): TokenExplorerError {
  return new TokenExplorerError(
    'bad-credentials',
    `The Google credentials in ${from} cannot be used: ${problem}`,
  );
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Json, field: string, from: string, what: string): string {
  const value = obj[field];
  if (typeof value !== 'string' || value === '') {
    throw badCredentials(
      from,
      `the ${what} credentials have no "${field}" field (or it is empty). Recreate the file (for user credentials: \`${ADC_LOGIN}\`).`,
    );
  }
  return value;
}

function optionalString(obj: Json, field: string): string | undefined {
  const value = obj[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** JSON.parse without echoing the text (Node's messages quote it, and it may hold keys). */
function parseJsonObject(json: string, from: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw badCredentials(
      from,
      `it is not valid JSON${position ? ` (error at character ${position})` : ''}.`,
    );
  }
  if (!isObject(value)) throw badCredentials(from, 'it is not a JSON object.');
  return value;
}

/** The target email of an impersonation URL `.../serviceAccounts/EMAIL:generateAccessToken`. */
function targetOfImpersonationUrl(url: string, from: string): string {
  const match = /serviceAccounts\/([^/]+):(generateAccessToken|generateIdToken)$/.exec(url);
  if (!match?.[1]) {
    throw badCredentials(
      from,
      `"service_account_impersonation_url" does not end in serviceAccounts/EMAIL:generateAccessToken.`,
    );
  }
  return decodeURIComponent(match[1]);
}

/** `projects/-/serviceAccounts/X` for an email, unique id or resource name. */
export function delegateResource(delegate: string): string {
  return delegate.startsWith('projects/') ? delegate : `projects/-/serviceAccounts/${delegate}`;
}

function parseFormat(source: Json, from: string): SubjectTokenFormat {
  const format = source.format;
  if (format === undefined) return { type: 'text' };
  if (!isObject(format)) throw badCredentials(from, '"credential_source.format" is not an object.');
  const type = format.type ?? 'text';
  if (type === 'text') return { type: 'text' };
  if (type !== 'json') {
    throw badCredentials(from, `"credential_source.format.type" must be "text" or "json".`);
  }
  return {
    type: 'json',
    subjectTokenFieldName: requireString(
      format,
      'subject_token_field_name',
      from,
      'external_account credential_source.format',
    ),
  };
}

function parseCredentialSource(obj: Json, from: string): CredentialSource {
  const source = obj.credential_source;
  if (!isObject(source)) {
    throw badCredentials(from, 'the external_account credentials have no "credential_source".');
  }
  if (typeof source.file === 'string') {
    return { kind: 'file', file: source.file, format: parseFormat(source, from) };
  }
  if (typeof source.url === 'string') {
    const headers: Record<string, string> = {};
    if (isObject(source.headers)) {
      for (const [name, value] of Object.entries(source.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
    }
    return { kind: 'url', url: source.url, headers, format: parseFormat(source, from) };
  }
  if (isObject(source.executable)) {
    const executable = source.executable;
    const timeout = executable.timeout_millis;
    const outputFile = optionalString(executable, 'output_file');
    return {
      kind: 'executable',
      command: requireString(executable, 'command', from, 'external_account executable'),
      timeoutMillis: typeof timeout === 'number' && timeout > 0 ? timeout : 30_000,
      ...(outputFile ? { outputFile } : {}),
    };
  }
  if (typeof source.environment_id === 'string') {
    throw badCredentials(
      from,
      `credential source "${source.environment_id}" (AWS/Azure environment) is not supported here; use a file, url or executable source.`,
    );
  }
  throw badCredentials(from, '"credential_source" names no file, url or executable.');
}

function parseObject(obj: Json, from: string, nested: boolean): GoogleCredentials {
  const type = obj.type;
  switch (type) {
    case 'authorized_user': {
      const quotaProjectId = optionalString(obj, 'quota_project_id');
      const account = optionalString(obj, 'account');
      return {
        type,
        from,
        clientId: requireString(obj, 'client_id', from, type),
        clientSecret: requireString(obj, 'client_secret', from, type),
        refreshToken: requireString(obj, 'refresh_token', from, type),
        tokenUri: optionalString(obj, 'token_uri') ?? GOOGLE_TOKEN_URI,
        ...(quotaProjectId ? { quotaProjectId } : {}),
        ...(account ? { account } : {}),
      };
    }
    case 'service_account':
      return readServiceAccountKey(obj, from);
    case 'impersonated_service_account': {
      if (nested) throw badCredentials(from, 'impersonated credentials cannot be nested.');
      const url = requireString(obj, 'service_account_impersonation_url', from, type);
      if (!isObject(obj.source_credentials)) {
        throw badCredentials(from, `the ${type} credentials have no "source_credentials" object.`);
      }
      const delegates = Array.isArray(obj.delegates)
        ? obj.delegates.filter((d): d is string => typeof d === 'string').map(delegateResource)
        : [];
      const quotaProjectId = optionalString(obj, 'quota_project_id');
      return {
        type,
        from,
        serviceAccountImpersonationUrl: url,
        targetPrincipal: targetOfImpersonationUrl(url, from),
        sourceCredentials: parseObject(
          obj.source_credentials,
          `${from} (source_credentials)`,
          true,
        ),
        delegates,
        ...(quotaProjectId ? { quotaProjectId } : {}),
      };
    }
    case 'external_account': {
      const impersonationUrl = optionalString(obj, 'service_account_impersonation_url');
      const impersonation = obj.service_account_impersonation;
      const lifetime = isObject(impersonation) ? impersonation.token_lifetime_seconds : undefined;
      const clientId = optionalString(obj, 'client_id');
      const clientSecret = optionalString(obj, 'client_secret');
      const userProject = optionalString(obj, 'workforce_pool_user_project');
      if (impersonationUrl) targetOfImpersonationUrl(impersonationUrl, from);
      return {
        type,
        from,
        audience: requireString(obj, 'audience', from, type),
        subjectTokenType: requireString(obj, 'subject_token_type', from, type),
        tokenUrl: optionalString(obj, 'token_url') ?? GOOGLE_STS_URL,
        credentialSource: parseCredentialSource(obj, from),
        ...(impersonationUrl ? { serviceAccountImpersonationUrl: impersonationUrl } : {}),
        ...(typeof lifetime === 'number' ? { impersonationLifetimeSeconds: lifetime } : {}),
        ...(clientId ? { clientId } : {}),
        ...(clientSecret ? { clientSecret } : {}),
        ...(userProject ? { workforcePoolUserProject: userProject } : {}),
      };
    }
    case undefined:
      throw badCredentials(from, 'it has no "type" field; is this a Google credentials file?');
    default:
      throw badCredentials(
        from,
        `its "type" is ${JSON.stringify(String(type)).slice(0, 60)}, expected authorized_user, service_account, impersonated_service_account or external_account.`,
      );
  }
}

/**
 * Parses a Google credentials file (any ADC type) into typed credentials.
 * @param from the file path (or other origin) named in error messages.
 * @throws TokenExplorerError `bad-credentials` naming the file and the field; the message never
 *   contains key material or tokens.
 */
export function parseCredentials(json: string, from: string): GoogleCredentials {
  return parseObject(parseJsonObject(json, from), from, false);
}

/**
 * Reads the fields of a `service_account` key object (the private key is checked only when it is
 * used; see {@link signServiceAccountAssertion}).
 * @throws TokenExplorerError `bad-credentials` naming the missing field.
 */
export function readServiceAccountKey(
  obj: Readonly<Json>,
  from: string,
): ServiceAccountCredentials {
  const what = 'service_account';
  if (obj.type !== what) {
    throw badCredentials(
      from,
      `its "type" is not "service_account"; is this a service-account key?`,
    );
  }
  const privateKey = requireString(obj, 'private_key', from, what);
  if (!privateKey.includes('-----BEGIN PRIVATE KEY-----')) {
    throw badCredentials(
      from,
      '"private_key" is not a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----). Download a new JSON key from the Cloud console.',
    );
  }
  const projectId = optionalString(obj, 'project_id');
  const clientId = optionalString(obj, 'client_id');
  return {
    type: what,
    from,
    clientEmail: requireString(obj, 'client_email', from, what),
    privateKey,
    privateKeyId: requireString(obj, 'private_key_id', from, what),
    tokenUri: optionalString(obj, 'token_uri') ?? GOOGLE_TOKEN_URI,
    ...(projectId ? { projectId } : {}),
    ...(clientId ? { clientId } : {}),
  };
}

// Importing an RSA key costs as much as signing with it: keep the last few imported keys (in
// memory only, keyed by the PEM that SecretStorage or the key file already holds).
const importedKeys = new Map<string, Promise<CryptoKey>>();
const MAX_IMPORTED_KEYS = 8;

function importedKey(pem: string): Promise<CryptoKey> {
  let key = importedKeys.get(pem);
  if (!key) {
    key = importPKCS8(pem, 'RS256');
    key.catch(() => importedKeys.delete(pem));
    if (importedKeys.size >= MAX_IMPORTED_KEYS) {
      importedKeys.delete(importedKeys.keys().next().value as string);
    }
    importedKeys.set(pem, key);
  }
  return key;
}

/**
 * Signs a jwt-bearer assertion for a service-account key: header `{alg: RS256, typ: JWT, kid}`,
 * claims `{iss, aud: token_uri, iat, exp: iat + 3600}` plus `claims` (`target_audience` or
 * `scope`).
 * @throws TokenExplorerError `bad-credentials` when the private key does not parse.
 */
export async function signServiceAccountAssertion(
  key: ServiceAccountCredentials,
  claims: Readonly<Record<string, string>>,
  nowMs: number,
): Promise<string> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importedKey(key.privateKey);
  } catch (error) {
    throw new TokenExplorerError(
      'bad-credentials',
      `The private key of ${key.clientEmail} (from ${key.from}) could not be read as an RSA PKCS#8 key. Download a new JSON key from the Cloud console.`,
      { cause: error },
    );
  }
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.privateKeyId })
    .setIssuer(key.clientEmail)
    .setAudience(key.tokenUri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(privateKey);
}

/** Rewrites a token-endpoint failure into what it means for a service-account key. */
function explainJwtBearerFailure(error: unknown, key: ServiceAccountCredentials): never {
  const failure = httpFailure(error);
  if (!failure || failure.status >= 500 || failure.status === 429) throw error;
  const said = [failure.error, failure.description].filter(Boolean).join(': ');
  const description = (failure.description ?? '').toLowerCase();
  let why: string;
  if (description.includes('signature')) {
    why = `the key ${key.privateKeyId} is not (or no longer) a valid key of ${key.clientEmail}: it was deleted or disabled. Create a new key and import it again.`;
  } else if (
    description.includes('timeframe') ||
    description.includes('iat') ||
    description.includes('exp')
  ) {
    why = `the assertion's time is not accepted: this computer's clock is probably wrong. Sync the clock and try again.`;
  } else if (description.includes('not found') || failure.error === 'invalid_client') {
    why = `the service account ${key.clientEmail} does not exist (it was deleted) or is disabled.`;
  } else if (description.includes('disabled')) {
    why = `the service account ${key.clientEmail} or its key is disabled. Enable it in the Cloud console.`;
  } else {
    why = `check that the key is current and that ${key.clientEmail} is enabled.`;
  }
  throw new TokenExplorerError(
    'bad-credentials',
    `${key.tokenUri} refused the key of ${key.clientEmail}${said ? ` (${said})` : ''}: ${why}`,
    { cause: error },
  );
}

/**
 * The jwt-bearer grant: signs an assertion with a service-account key and POSTs it to the key's
 * `token_uri`. Returns the parsed answer (`id_token` for `target_audience`, `access_token` for
 * `scope`).
 */
export async function jwtBearerGrant(
  key: ServiceAccountCredentials,
  claims: Readonly<{ target_audience: string } | { scope: string }>,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<Json> {
  const assertion = await signServiceAccountAssertion(key, claims, context.clock.now());
  try {
    const body = await postForm(
      context.fetch,
      key.tokenUri,
      { grant_type: JWT_BEARER, assertion },
      { timeoutMs: context.timeoutMs, ...(signal ? { signal } : {}) },
    );
    return requireObject(body, key.tokenUri);
  } catch (error) {
    return explainJwtBearerFailure(error, key);
  }
}

function requireObject(body: unknown, url: string): Json {
  if (!isObject(body)) {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered with JSON that is not an object.`,
    );
  }
  return body;
}

function requireField(body: Json, field: string, url: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new TokenExplorerError(
      'bad-response',
      `${url} answered without "${field}"; is the endpoint URL right?`,
    );
  }
  return value;
}

function expiresAtFrom(body: Json, nowMs: number): number {
  const seconds = Number(body.expires_in);
  return nowMs + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000;
}

/**
 * Wraps a minted ID token, taking its expiry from its own `exp`.
 * @throws TokenExplorerError `bad-response` when it is not a JWT with a numeric `exp`.
 */
export function mintedToken(token: string, from: string): MintedToken {
  let exp: number | undefined;
  try {
    exp = peekToken(token).times.exp;
  } catch {
    exp = undefined;
  }
  if (typeof exp !== 'number') {
    throw new TokenExplorerError(
      'bad-response',
      `${from} returned an ID token that is not a JWT with an expiry (exp).`,
    );
  }
  return { token, expiresAt: exp * 1000 };
}

/** The tokens of a refresh_token grant. */
export interface UserTokens extends AccessToken {
  readonly idToken?: string;
  /** The `email` claim of the ID token, when there is one. */
  readonly email?: string;
}

/**
 * The refresh_token grant of `authorized_user` credentials: a form POST to `token_uri`.
 * @throws TokenExplorerError `bad-credentials` when the refresh token or client is rejected.
 */
export async function refreshUserTokens(
  credentials: AuthorizedUserCredentials,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<UserTokens> {
  let body: Json;
  try {
    body = requireObject(
      await postForm(
        context.fetch,
        credentials.tokenUri,
        {
          grant_type: 'refresh_token',
          refresh_token: credentials.refreshToken,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        },
        { timeoutMs: context.timeoutMs, ...(signal ? { signal } : {}) },
      ),
      credentials.tokenUri,
    );
  } catch (error) {
    const failure = httpFailure(error);
    if (failure && failure.status < 500 && failure.status !== 429) {
      const said = [failure.error, failure.description].filter(Boolean).join(': ');
      const why =
        failure.error === 'invalid_client' || failure.error === 'unauthorized_client'
          ? 'the OAuth client in the file is not accepted'
          : 'the refresh token has expired or was revoked';
      throw new TokenExplorerError(
        'bad-credentials',
        `${credentials.tokenUri} refused the user credentials in ${credentials.from}${said ? ` (${said})` : ''}: ${why}. Run \`${ADC_LOGIN}\` to sign in again.`,
        { cause: error },
      );
    }
    throw error;
  }
  const accessToken = requireField(body, 'access_token', credentials.tokenUri);
  const idToken = typeof body.id_token === 'string' ? body.id_token : undefined;
  let email: string | undefined;
  if (idToken) {
    const decoded = decodeCompact(idToken);
    const claim = decoded.parts.length === 3 ? decoded.payload?.email : undefined;
    if (typeof claim === 'string') email = claim;
  }
  return {
    accessToken,
    expiresAt: expiresAtFrom(body, context.clock.now()),
    ...(idToken ? { idToken } : {}),
    ...(email ? { email } : {}),
  };
}

/**
 * The user's own ID token from the refresh_token grant; its audience is the OAuth client id.
 * @throws TokenExplorerError `bad-response` when the token endpoint returns no `id_token`.
 */
export async function fetchUserIdToken(
  credentials: AuthorizedUserCredentials,
  context: ProviderContext,
  signal?: AbortSignal,
): Promise<MintedToken> {
  const tokens = await refreshUserTokens(credentials, context, signal);
  if (!tokens.idToken) {
    throw new TokenExplorerError(
      'bad-response',
      `${credentials.tokenUri} returned no id_token for the user in ${credentials.from}. Sign in again with \`${ADC_LOGIN}\` (the openid scope is needed).`,
    );
  }
  return mintedToken(tokens.idToken, credentials.tokenUri);
}

/**
 * IAM Credentials `generateAccessToken`: an access token of `url`'s service account, for a caller
 * whose access token is `bearer`.
 */
async function generateAccessToken(
  url: string,
  bearer: string,
  delegates: readonly string[],
  lifetimeSeconds: number,
  caller: string,
  context: ProviderContext,
): Promise<AccessToken> {
  const target = targetOfImpersonationUrl(url, url);
  let body: Json;
  try {
    body = requireObject(
      await postJson(
        context.fetch,
        url,
        { delegates, scope: [CLOUD_PLATFORM_SCOPE], lifetime: `${lifetimeSeconds}s` },
        { timeoutMs: context.timeoutMs, headers: { authorization: `Bearer ${bearer}` } },
      ),
      url,
    );
  } catch (error) {
    const failure = httpFailure(error);
    if (failure?.status === 403) {
      throw new TokenExplorerError(
        'permission-denied',
        `${caller} may not impersonate ${target} (${failure.description ?? 'permission denied'}). Grant it roles/iam.serviceAccountTokenCreator on ${target}.`,
        { cause: error },
      );
    }
    if (failure?.status === 404) {
      throw new TokenExplorerError(
        'bad-config',
        `The service account ${target} to impersonate does not exist (${url} answered 404).`,
        { cause: error },
      );
    }
    throw error;
  }
  const accessToken = requireField(body, 'accessToken', url);
  const expireTime = Date.parse(typeof body.expireTime === 'string' ? body.expireTime : '');
  return {
    accessToken,
    expiresAt: Number.isFinite(expireTime)
      ? expireTime
      : context.clock.now() + lifetimeSeconds * 1000,
  };
}

/** GETs a URL as text with the context's timeout (for URL-sourced subject tokens). */
async function fetchText(
  context: ProviderContext,
  url: string,
  headers: Readonly<Record<string, string>>,
): Promise<string> {
  let response: Response;
  let text: string;
  try {
    response = await context.fetch(url, {
      headers,
      signal: AbortSignal.timeout(context.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new TokenExplorerError(
      timedOut ? 'timeout' : 'network',
      timedOut
        ? `The subject-token URL ${url} did not answer within ${context.timeoutMs / 1000} s.`
        : `Could not read the subject token from ${url}: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new TokenExplorerError(
      'http-status',
      `The subject-token URL ${url} answered HTTP ${response.status}.`,
    );
  }
  return text;
}

function subjectFromText(text: string, format: SubjectTokenFormat, where: string): string {
  let token: unknown = text.trim();
  if (format.type === 'json') {
    const field = format.subjectTokenFieldName ?? '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    token = isObject(body) ? body[field] : undefined;
    if (typeof token !== 'string') {
      throw new TokenExplorerError(
        'bad-credentials',
        `The subject token at ${where} is not JSON with a string field "${field}".`,
      );
    }
  }
  if (token === '') {
    throw new TokenExplorerError('bad-credentials', `The subject token at ${where} is empty.`);
  }
  return token as string;
}

interface ExecutableResponse {
  version?: unknown;
  success?: unknown;
  token_type?: unknown;
  id_token?: unknown;
  saml_response?: unknown;
  expiration_time?: unknown;
  code?: unknown;
  message?: unknown;
}

function subjectFromExecutable(
  text: string,
  where: string,
  nowMs: number,
  requireExpiry: boolean,
): string | undefined {
  let body: ExecutableResponse;
  try {
    body = JSON.parse(text) as ExecutableResponse;
  } catch {
    throw new TokenExplorerError('bad-credentials', `${where} did not print valid JSON.`);
  }
  if (body.success === false) {
    throw new TokenExplorerError(
      'bad-credentials',
      `${where} reported failure${typeof body.code === 'string' ? ` ${body.code}` : ''}${typeof body.message === 'string' ? `: ${body.message.slice(0, 200)}` : ''}.`,
    );
  }
  if (body.success !== true || body.version !== 1) {
    throw new TokenExplorerError(
      'bad-credentials',
      `${where} printed JSON without "version": 1 and "success": true.`,
    );
  }
  const expiration = typeof body.expiration_time === 'number' ? body.expiration_time : undefined;
  if (expiration !== undefined && expiration * 1000 <= nowMs) return undefined;
  if (expiration === undefined && requireExpiry) return undefined;
  const token = typeof body.id_token === 'string' ? body.id_token : body.saml_response;
  if (typeof token !== 'string' || token === '') {
    throw new TokenExplorerError(
      'bad-credentials',
      `${where} printed no id_token or saml_response.`,
    );
  }
  return token;
}

async function executableSubjectToken(
  credentials: ExternalAccountCredentials,
  source: Extract<CredentialSource, { kind: 'executable' }>,
  context: ProviderContext,
): Promise<string> {
  if (context.env.get('GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES') !== '1') {
    throw new TokenExplorerError(
      'bad-config',
      `The credentials in ${credentials.from} get their subject token by running a program, which is off by default. If you trust that file, set the environment variable GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 before starting VS Code.`,
    );
  }
  const nowMs = context.clock.now();
  if (source.outputFile) {
    const cached = await context.files.readText(source.outputFile);
    if (cached) {
      const token = subjectFromExecutable(cached, source.outputFile, nowMs, true);
      if (token) return token;
    }
  }
  const [file, ...args] = source.command.trim().split(/\s+/);
  const where = `The credential program ${file ?? source.command}`;
  // The runner is given only these variables on top of the inherited environment.
  const result = await context.runner.run(file ?? '', args, {
    timeoutMs: source.timeoutMillis,
    env: {
      GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE: credentials.audience,
      GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE: credentials.subjectTokenType,
      GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE: '0',
      ...(credentials.serviceAccountImpersonationUrl
        ? {
            GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL: targetOfImpersonationUrl(
              credentials.serviceAccountImpersonationUrl,
              credentials.from,
            ),
          }
        : {}),
      ...(source.outputFile ? { GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE: source.outputFile } : {}),
    },
  });
  if (result.exitCode !== 0) {
    throw new TokenExplorerError(
      'cli-failed',
      `${where} exited with ${result.exitCode ?? 'a signal'}${result.stderr.trim() ? `: ${result.stderr.trim().slice(0, 300)}` : ''}.`,
    );
  }
  const token = subjectFromExecutable(result.stdout, where, nowMs, false);
  if (!token) throw new TokenExplorerError('bad-credentials', `${where} printed an expired token.`);
  return token;
}

/** Reads the subject token of `external_account` credentials from their source. */
export async function readSubjectToken(
  credentials: ExternalAccountCredentials,
  context: ProviderContext,
): Promise<string> {
  const source = credentials.credentialSource;
  switch (source.kind) {
    case 'file': {
      const text = await context.files.readText(source.file);
      if (text === undefined) {
        throw new TokenExplorerError(
          'bad-credentials',
          `The subject-token file ${source.file} named in ${credentials.from} does not exist.`,
        );
      }
      return subjectFromText(text, source.format, source.file);
    }
    case 'url':
      return subjectFromText(
        await fetchText(context, source.url, source.headers),
        source.format,
        source.url,
      );
    case 'executable':
      return executableSubjectToken(credentials, source, context);
  }
}

/** The STS token exchange of `external_account` credentials. */
async function exchangeSubjectToken(
  credentials: ExternalAccountCredentials,
  context: ProviderContext,
): Promise<AccessToken> {
  const subjectToken = await readSubjectToken(credentials, context);
  const headers: Record<string, string> = {};
  if (credentials.clientId && credentials.clientSecret) {
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString(
      'base64',
    );
    headers.authorization = `Basic ${basic}`;
  }
  let body: Json;
  try {
    body = requireObject(
      await postForm(
        context.fetch,
        credentials.tokenUrl,
        {
          grant_type: TOKEN_EXCHANGE,
          audience: credentials.audience,
          scope: CLOUD_PLATFORM_SCOPE,
          requested_token_type: ACCESS_TOKEN_TYPE,
          subject_token: subjectToken,
          subject_token_type: credentials.subjectTokenType,
          options:
            credentials.workforcePoolUserProject && !credentials.clientId
              ? JSON.stringify({ userProject: credentials.workforcePoolUserProject })
              : undefined,
        },
        { timeoutMs: context.timeoutMs, headers },
      ),
      credentials.tokenUrl,
    );
  } catch (error) {
    const failure = httpFailure(error);
    if (failure && failure.status < 500 && failure.status !== 429) {
      const said = [failure.error, failure.description].filter(Boolean).join(': ');
      throw new TokenExplorerError(
        'bad-credentials',
        `The security token service ${credentials.tokenUrl} refused the subject token of ${credentials.from}${said ? ` (${said})` : ''}. Check that the token is fresh and that the workload identity provider "${credentials.audience}" trusts its issuer and audience.`,
        { cause: error },
      );
    }
    throw error;
  }
  return {
    accessToken: requireField(body, 'access_token', credentials.tokenUrl),
    expiresAt: expiresAtFrom(body, context.clock.now()),
  };
}

function abortError(signal: AbortSignal): TokenExplorerError {
  return new TokenExplorerError('cancelled', 'Getting a Google access token was cancelled.', {
    cause: signal.reason,
  });
}

/** Resolves like `promise` unless `signal` aborts first; the shared upstream call goes on. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Access tokens for one set of credentials: cached, refreshed {@link EAGER_REFRESH_MS} before
 * expiry, and single-flight (concurrent callers share one upstream call; a caller's signal only
 * stops its own wait).
 */
export class AccessTokenSource {
  private cached?: AccessToken;
  private inflight?: Promise<AccessToken>;
  private source?: AccessTokenSource;
  private email?: string;

  constructor(
    readonly credentials: GoogleCredentials | MetadataCredentials,
    private readonly context: ProviderContext,
  ) {}

  /** Who the access token speaks for, when known (email of the user or service account). */
  get callerEmail(): string | undefined {
    const credentials = this.credentials;
    switch (credentials.type) {
      case 'authorized_user':
        return this.email ?? credentials.account;
      case 'service_account':
        return credentials.clientEmail;
      case 'impersonated_service_account':
        return credentials.targetPrincipal;
      case 'external_account':
        return credentials.serviceAccountImpersonationUrl
          ? targetOfImpersonationUrl(credentials.serviceAccountImpersonationUrl, credentials.from)
          : undefined;
      case 'metadata':
        return undefined;
    }
  }

  /** A valid access token, from the cache when it has more than 5 minutes left. */
  async getAccessToken(signal?: AbortSignal): Promise<AccessToken> {
    if (this.cached && this.cached.expiresAt - EAGER_REFRESH_MS > this.context.clock.now()) {
      return this.cached;
    }
    if (!this.inflight) {
      const call = this.fetchAccessToken();
      this.inflight = call;
      call.then(
        (token) => {
          this.cached = token;
          this.inflight = undefined;
        },
        () => {
          this.inflight = undefined;
        },
      );
    }
    return untilAborted(this.inflight, signal);
  }

  /** Forgets the cached token (e.g. after the server rejected it). */
  invalidate(): void {
    this.cached = undefined;
    this.source?.invalidate();
  }

  private async fetchAccessToken(): Promise<AccessToken> {
    const credentials = this.credentials;
    const context = this.context;
    switch (credentials.type) {
      case 'authorized_user': {
        const tokens = await refreshUserTokens(credentials, context);
        if (tokens.email) this.email = tokens.email;
        return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
      }
      case 'service_account': {
        const body = await jwtBearerGrant(credentials, { scope: CLOUD_PLATFORM_SCOPE }, context);
        return {
          accessToken: requireField(body, 'access_token', credentials.tokenUri),
          expiresAt: expiresAtFrom(body, context.clock.now()),
        };
      }
      case 'impersonated_service_account': {
        this.source ??= new AccessTokenSource(credentials.sourceCredentials, context);
        const bearer = await this.source.getAccessToken();
        return generateAccessToken(
          credentials.serviceAccountImpersonationUrl,
          bearer.accessToken,
          credentials.delegates,
          3600,
          this.source.callerEmail ?? `The source credentials of ${credentials.from}`,
          context,
        );
      }
      case 'external_account': {
        const federated = await exchangeSubjectToken(credentials, context);
        if (!credentials.serviceAccountImpersonationUrl) return federated;
        return generateAccessToken(
          credentials.serviceAccountImpersonationUrl,
          federated.accessToken,
          [],
          credentials.impersonationLifetimeSeconds ?? 3600,
          `The federated identity of ${credentials.from}`,
          context,
        );
      }
      case 'metadata':
        return metadataAccessToken(context);
    }
  }
}

/**
 * Where gcloud keeps the ADC file: `CLOUDSDK_CONFIG`, else `%APPDATA%\gcloud` on Windows or
 * `~/.config/gcloud`, plus `application_default_credentials.json`.
 */
export function gcloudAdcPath(env: Environment): string {
  const file = 'application_default_credentials.json';
  const path = env.platform === 'win32' ? win32 : posix;
  const override = env.get('CLOUDSDK_CONFIG');
  if (override) return path.join(override, file);
  if (env.platform === 'win32') {
    const appData = env.get('APPDATA') ?? win32.join(env.homeDir, 'AppData', 'Roaming');
    return win32.join(appData, 'gcloud', file);
  }
  return posix.join(env.homeDir, '.config', 'gcloud', file);
}

/** The ADC search order, for messages. */
export function adcSearchOrder(env: Environment): string {
  return `the file named by GOOGLE_APPLICATION_CREDENTIALS, then ${gcloudAdcPath(env)}, then the metadata server (on Google Cloud)`;
}

/**
 * Finds Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's ADC file.
 * The metadata server is asked only with `probeMetadata` (a short request for an access token).
 * @returns undefined when there are none.
 * @throws TokenExplorerError `bad-credentials` when GOOGLE_APPLICATION_CREDENTIALS names a missing
 *   file or a file is unusable.
 */
export async function findAdc(
  context: ProviderContext,
  options: { readonly probeMetadata?: boolean } = {},
): Promise<AdcLocation | undefined> {
  const envPath = context.env.get('GOOGLE_APPLICATION_CREDENTIALS');
  if (envPath) {
    const text = await context.files.readText(envPath);
    if (text === undefined) {
      throw new TokenExplorerError(
        'bad-credentials',
        `GOOGLE_APPLICATION_CREDENTIALS is set to ${envPath}, but there is no file there. Fix the path or unset the variable.`,
      );
    }
    return { source: 'env', path: envPath, credentials: parseCredentials(text, envPath) };
  }
  const adcPath = gcloudAdcPath(context.env);
  const text = await context.files.readText(adcPath);
  if (text !== undefined) {
    return {
      source: 'gcloud-adc-file',
      path: adcPath,
      credentials: parseCredentials(text, adcPath),
    };
  }
  if (options.probeMetadata) {
    const probe = await probeMetadataServer(context, Math.min(3000, context.timeoutMs));
    if (probe.available) return { source: 'metadata' };
  }
  return undefined;
}

const sources = new WeakMap<
  ProviderContext,
  Map<string, { text: string; source: AccessTokenSource }>
>();

function cachedSource(
  context: ProviderContext,
  key: string,
  text: string,
  make: () => AccessTokenSource,
): AccessTokenSource {
  let byKey = sources.get(context);
  if (!byKey) {
    byKey = new Map();
    sources.set(context, byKey);
  }
  const hit = byKey.get(key);
  if (hit && hit.text === text) return hit.source;
  const source = make();
  byKey.set(key, { text, source });
  return source;
}

/**
 * The access-token source of the ADC (or of `credentialsFile`), reused across calls with the same
 * context while the file is unchanged. Without a file, falls back to the metadata server; when
 * that is unreachable too, explains the search order.
 * @throws TokenExplorerError `no-credentials` when nothing is found, `bad-credentials` for an
 *   unusable file.
 */
export async function adcAccessTokenSource(
  context: ProviderContext,
  options: { readonly credentialsFile?: string } = {},
): Promise<AccessTokenSource> {
  if (options.credentialsFile) {
    const path = options.credentialsFile;
    const text = await context.files.readText(path);
    if (text === undefined) {
      throw new TokenExplorerError(
        'no-credentials',
        `The credentials file ${path} set for this account does not exist. Fix the path in the account settings, or clear it to use Application Default Credentials.`,
      );
    }
    const credentials = parseCredentials(text, path);
    return cachedSource(
      context,
      `file:${path}`,
      text,
      () => new AccessTokenSource(credentials, context),
    );
  }
  const location = await findAdc(context);
  if (location?.credentials && location.path) {
    const credentials = location.credentials;
    const text = JSON.stringify(credentials);
    return cachedSource(
      context,
      `adc:${location.path}`,
      text,
      () => new AccessTokenSource(credentials, context),
    );
  }
  const metadata = cachedSource(
    context,
    'metadata',
    '',
    () => new AccessTokenSource({ type: 'metadata' }, context),
  );
  try {
    await metadata.getAccessToken();
  } catch (error) {
    if (
      error instanceof TokenExplorerError &&
      (error.code === 'network' || error.code === 'timeout')
    ) {
      throw new TokenExplorerError(
        'no-credentials',
        `No Google Application Default Credentials were found. Looked at ${adcSearchOrder(context.env)}. Run \`${ADC_LOGIN}\` (or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file), then try again.`,
        { cause: error },
      );
    }
    throw error;
  }
  return metadata;
}
