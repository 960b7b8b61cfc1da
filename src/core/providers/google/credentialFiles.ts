// Reading Google credential files: JSON of any ADC type into typed credentials.
import { isRecord } from '../../guards';
import type { FileReader } from '../../ports';
import type {
  CredentialSource,
  GoogleCredentials,
  Json,
  ServiceAccountCredentials,
  SubjectTokenFormat,
} from './credentials';
import { pkcs8PrivateKey } from './privateKey';
import {
  GOOGLE_STS_OAUTH_URL,
  GOOGLE_STS_URL,
  GOOGLE_TOKEN_URI,
  badCredentials,
  optionalString,
  requireString,
} from './credentials';

/**
 * The text of a credentials file without what editors add around JSON: a UTF-8 byte-order mark
 * (Notepad, PowerShell `Out-File -Encoding utf8`; VS Code's TextDecoder drops it, Node's
 * readFile keeps it). Line ends (CRLF) and trailing whitespace are JSON whitespace already.
 */
export function credentialsText(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Why a text that is not JSON is not, when the cause is a known editor habit. */
function notJsonBecause(json: string): string | undefined {
  if (json.includes('\u0000') || json.startsWith('\ufffd')) {
    return 'it is saved as UTF-16 (as Windows PowerShell `>` writes files), not UTF-8. Save it again as UTF-8 (in VS Code: "Save with Encoding").';
  }
  const start = json.trimStart();
  if (start.startsWith('//') || start.startsWith('/*') || start.startsWith('#')) {
    return 'it starts with a comment, and credential files are plain JSON (google-auth-library and gcloud refuse comments too). Remove the comment lines.';
  }
  return undefined;
}

/** JSON.parse without echoing the text (Node's messages quote it, and it may hold keys). */
function parseJsonObject(text: string, from: string): Json {
  const json = credentialsText(text);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const because = notJsonBecause(json);
    if (because) throw badCredentials(from, because);
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw badCredentials(
      from,
      `it is not valid JSON${position ? ` (error at character ${position})` : ''}.`,
    );
  }
  if (!isRecord(value)) throw badCredentials(from, 'it is not a JSON object.');
  return value;
}

/** The target email of an impersonation URL `.../serviceAccounts/EMAIL:generateAccessToken`. */
export function targetOfImpersonationUrl(url: string, from: string): string {
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
  if (!isRecord(format)) throw badCredentials(from, '"credential_source.format" is not an object.');
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

/**
 * An `environment_id` source. Only AWS exists, as `aws1`; checked as google-auth-library's
 * `AwsClient.validateEnvironmentId` checks it (`/^(aws)(\d+)$/`, version 1, and a
 * `regional_cred_verification_url`).
 */
function parseEnvironmentSource(source: Json, from: string): CredentialSource {
  const id = source.environment_id;
  const version = typeof id === 'string' ? /^aws(\d+)$/.exec(id)?.[1] : undefined;
  if (version === undefined) {
    throw badCredentials(
      from,
      `"credential_source.environment_id" is ${JSON.stringify(String(id)).slice(0, 40)}; the only environment is "aws1" (AWS).`,
    );
  }
  if (Number(version) !== 1) {
    throw badCredentials(
      from,
      `AWS credential source version ${version} is not supported; google-auth-library supports "aws1".`,
    );
  }
  const regionUrl = optionalString(source, 'region_url');
  const url = optionalString(source, 'url');
  const imdsv2SessionTokenUrl = optionalString(source, 'imdsv2_session_token_url');
  return {
    kind: 'aws',
    regionalCredVerificationUrl: requireString(
      source,
      'regional_cred_verification_url',
      from,
      'external_account AWS credential_source',
    ),
    ...(regionUrl ? { regionUrl } : {}),
    ...(url ? { url } : {}),
    ...(imdsv2SessionTokenUrl ? { imdsv2SessionTokenUrl } : {}),
  };
}

function parseCredentialSource(obj: Json, from: string): CredentialSource {
  const source = obj.credential_source;
  if (!isRecord(source)) {
    throw badCredentials(from, 'the external_account credentials have no "credential_source".');
  }
  // The environment comes first: an AWS source has a `url` too (google-auth-library's
  // ExternalAccountClient.fromJSON picks AwsClient whenever `environment_id` is present).
  if (source.environment_id !== undefined) return parseEnvironmentSource(source, from);
  if (typeof source.file === 'string') {
    return { kind: 'file', file: source.file, format: parseFormat(source, from) };
  }
  if (typeof source.url === 'string') {
    const headers: Record<string, string> = {};
    if (isRecord(source.headers)) {
      for (const [name, value] of Object.entries(source.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
    }
    return { kind: 'url', url: source.url, headers, format: parseFormat(source, from) };
  }
  if (isRecord(source.executable)) {
    const executable = source.executable;
    const timeout = executable.timeout_millis ?? 30_000;
    // google-auth-library PluggableAuthClient: default 30 s, refused outside 5-120 s.
    if (typeof timeout !== 'number' || timeout < 5_000 || timeout > 120_000) {
      throw badCredentials(
        from,
        '"credential_source.executable.timeout_millis" must be between 5000 and 120000 (milliseconds), as google-auth-library requires.',
      );
    }
    const outputFile = optionalString(executable, 'output_file');
    return {
      kind: 'executable',
      command: requireString(executable, 'command', from, 'external_account executable'),
      timeoutMillis: timeout,
      ...(outputFile ? { outputFile } : {}),
    };
  }
  if (source.certificate !== undefined) {
    throw badCredentials(
      from,
      'certificate (X.509 workload identity) credential sources are not supported here; use a file, url, executable or AWS source.',
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
      if (!isRecord(obj.source_credentials)) {
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
      const lifetime = isRecord(impersonation) ? impersonation.token_lifetime_seconds : undefined;
      const clientId = optionalString(obj, 'client_id');
      const clientSecret = optionalString(obj, 'client_secret');
      const userProject = optionalString(obj, 'workforce_pool_user_project');
      const quotaProjectId = optionalString(obj, 'quota_project_id');
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
        ...(quotaProjectId ? { quotaProjectId } : {}),
      };
    }
    case 'external_account_authorized_user': {
      const clientId = optionalString(obj, 'client_id');
      const clientSecret = optionalString(obj, 'client_secret');
      const audience = optionalString(obj, 'audience');
      const quotaProjectId = optionalString(obj, 'quota_project_id');
      return {
        type,
        from,
        refreshToken: requireString(obj, 'refresh_token', from, type),
        tokenUrl: optionalString(obj, 'token_url') ?? GOOGLE_STS_OAUTH_URL,
        ...(clientId ? { clientId } : {}),
        ...(clientSecret ? { clientSecret } : {}),
        ...(audience ? { audience } : {}),
        ...(quotaProjectId ? { quotaProjectId } : {}),
      };
    }
    case undefined:
      throw badCredentials(from, 'it has no "type" field; is this a Google credentials file?');
    default:
      throw badCredentials(
        from,
        `its "type" is ${JSON.stringify(String(type)).slice(0, 60)}, expected authorized_user, service_account, impersonated_service_account, external_account or external_account_authorized_user.`,
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
  const privateKey = pkcs8PrivateKey(requireString(obj, 'private_key', from, what), from);
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

interface ParsedFile {
  /** `mtimeMs:size` when the reader can stat files. */
  readonly stamp?: string;
  readonly text: string;
  readonly credentials: GoogleCredentials;
}

const parsedFiles = new WeakMap<FileReader, Map<string, ParsedFile>>();

/**
 * Reads and parses a credentials file, remembering the result per reader and path. While the
 * file's modification time and size stay the same (readers with `stat`), it is neither read nor
 * parsed again; an unchanged text gives the very same credentials object. A re-login rewrites the
 * file, so it is picked up by the next call.
 * @returns undefined when the file does not exist.
 * @throws TokenExplorerError `bad-credentials` for an unusable file (see {@link parseCredentials}).
 */
export async function readCredentialsFile(
  files: FileReader,
  path: string,
): Promise<GoogleCredentials | undefined> {
  let byPath = parsedFiles.get(files);
  if (!byPath) {
    byPath = new Map();
    parsedFiles.set(files, byPath);
  }
  const hit = byPath.get(path);
  // The stamp is taken before the read, so a change racing the read is seen next time.
  const stat = files.stat ? await files.stat(path) : undefined;
  const stamp = stat ? `${stat.mtimeMs}:${stat.size}` : undefined;
  if (hit && stamp !== undefined && hit.stamp === stamp) return hit.credentials;
  const text = await files.readText(path);
  if (text === undefined) {
    byPath.delete(path);
    return undefined;
  }
  const credentials = hit?.text === text ? hit.credentials : parseCredentials(text, path);
  byPath.set(path, { text, credentials, ...(stamp !== undefined ? { stamp } : {}) });
  return credentials;
}
