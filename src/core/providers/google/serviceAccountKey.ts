import { isNonEmptyString } from '../../guards';
import { importPKCS8 } from 'jose';
import { TokenExplorerError } from '../../errors';
import { type Remedy, withRemedies } from '../../remedies';
import type { Account, MintRequest, MintedToken, Provider, ProviderContext } from '../provider';
import { secretKey } from '../provider';
import { credentialsText, parseCredentials, readServiceAccountKey } from './credentialFiles';
import type { ServiceAccountCredentials } from './credentials';
import { jwtBearerGrant } from './jwtBearer';
import { mintedToken } from './tokenResponses';
import { assertSettingsValid } from '../settings';

/** The SecretStorage name (see `secretKey`) of the key JSON of a service-account-key account. */
export const SERVICE_ACCOUNT_KEY_SECRET = 'serviceAccountKey';

/** The non-secret settings of a `google-service-account-key` account, copied from the key file. */
export type ServiceAccountKeySettings = {
  readonly clientEmail: string;
  readonly privateKeyId: string;
  readonly projectId?: string;
  /** The key's `token_uri`; overrides it when set (tests point it at an emulator). */
  readonly tokenUri?: string;
};

/**
 * Validates a service-account key file for import: JSON, `type` `service_account`, the fields
 * present and a private key that parses as PKCS#8 RSA. Errors name the file and the field and
 * never contain key material.
 * @returns the non-secret settings and the secret (the key JSON) for SecretStorage.
 * @throws TokenExplorerError `bad-credentials`.
 */
export async function importServiceAccountKey(
  json: string,
  from: string,
): Promise<{ settings: ServiceAccountKeySettings; secret: string }> {
  const credentials = parseCredentials(json, from);
  if (credentials.type !== 'service_account') {
    throw new TokenExplorerError(
      'bad-credentials',
      `${from} holds ${credentials.type} credentials, not a service-account key. Download a JSON key from the Cloud console (IAM → Service accounts → Keys).`,
    );
  }
  try {
    await importPKCS8(credentials.privateKey, 'RS256');
  } catch (error) {
    throw new TokenExplorerError(
      'bad-credentials',
      `The "private_key" in ${from} is not a readable RSA PKCS#8 key; the file may be damaged. Download a new key.`,
      { cause: error },
    );
  }
  return {
    settings: {
      clientEmail: credentials.clientEmail,
      privateKeyId: credentials.privateKeyId,
      tokenUri: credentials.tokenUri,
      ...(credentials.projectId ? { projectId: credentials.projectId } : {}),
    },
    secret: credentialsText(json),
  };
}

/**
 * Validates a key file chosen again for an existing account ("Re-import Key…"): everything
 * `importServiceAccountKey` checks, and that the key is the account's (same `client_email`).
 * A new key of the same account (another `private_key_id`) is accepted and replaces the id.
 * @returns the account's settings with the key's fields, and the secret for SecretStorage.
 * @throws TokenExplorerError `bad-credentials` (for a key of another account too).
 */
export async function reimportServiceAccountKey(
  account: Account,
  json: string,
  from: string,
): Promise<{ settings: Record<string, unknown>; secret: string }> {
  const imported = await importServiceAccountKey(json, from);
  const expected = account.settings.clientEmail;
  if (typeof expected === 'string' && imported.settings.clientEmail !== expected) {
    throw new TokenExplorerError(
      'bad-credentials',
      `${from} is a key of ${imported.settings.clientEmail}, not of ${expected}. Choose a key of ${expected}, or add the other service account as a new account.`,
      { remedies: [REIMPORT] },
    );
  }
  const { tokenUri: _fromFile, ...fromKey } = imported.settings;
  return { settings: { ...account.settings, ...fromKey }, secret: imported.secret };
}

const REIMPORT: Remedy = { kind: 'reimportKey' };

function settingProblems(settings: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (typeof settings.clientEmail !== 'string' || !settings.clientEmail.includes('@')) {
    problems.push('"clientEmail" must be the service account\'s email; import the key file again.');
  }
  if (!isNonEmptyString(settings.privateKeyId)) {
    problems.push('"privateKeyId" is missing; import the key file again.');
  }
  const tokenUri = settings.tokenUri;
  if (tokenUri !== undefined && (typeof tokenUri !== 'string' || !URL.canParse(tokenUri))) {
    problems.push('"tokenUri" must be a URL.');
  }
  return problems;
}

async function loadKey(
  account: Account,
  context: ProviderContext,
): Promise<ServiceAccountCredentials> {
  assertSettingsValid(settingProblems(account.settings), account);
  const from = `the stored key of "${account.name ?? account.id}"`;
  let json: string | undefined;
  try {
    json = await context.secrets.get(secretKey(account.id, SERVICE_ACCOUNT_KEY_SECRET));
  } catch (error) {
    throw new TokenExplorerError(
      'secret-storage-unavailable',
      `The service-account key of "${account.name ?? account.id}" could not be read from the secret storage (the OS keychain). Unlock the keychain and try again.`,
      { cause: error, remedies: [{ kind: 'retry' }] },
    );
  }
  if (json === undefined) {
    throw new TokenExplorerError(
      'bad-credentials',
      `The service-account key of "${account.name ?? account.id}" is not in the secret storage (it was removed, or this is another machine). Import the key file again.`,
      { remedies: [REIMPORT] },
    );
  }
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(credentialsText(json)) as Record<string, unknown>;
  } catch {
    throw new TokenExplorerError(
      'bad-credentials',
      `${from} is not valid JSON. Import the key file again.`,
      { remedies: [REIMPORT] },
    );
  }
  let key: ServiceAccountCredentials;
  try {
    key = readServiceAccountKey(obj, from);
  } catch (error) {
    throw withRemedies(error, [REIMPORT]);
  }
  const tokenUri = account.settings.tokenUri;
  return typeof tokenUri === 'string' && tokenUri !== '' ? { ...key, tokenUri } : key;
}

/**
 * Mints an ID token with a stored service-account key: a jwt-bearer assertion with
 * `target_audience` POSTed to the key's `token_uri`.
 */
export async function mintServiceAccountKeyIdToken(
  account: Account,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const key = await loadKey(account, context);
  const body = await jwtBearerGrant(
    key,
    { target_audience: request.audience },
    context,
    request.signal,
  );
  const idToken = body.id_token;
  if (!isNonEmptyString(idToken)) {
    throw new TokenExplorerError(
      'bad-response',
      `${key.tokenUri} answered without "id_token"; is the token URI right?`,
    );
  }
  return mintedToken(idToken, key.tokenUri);
}

/** `google-service-account-key`: ID tokens signed for with a service-account key. */
export const serviceAccountKeyProvider: Provider = {
  kind: 'google-service-account-key',
  label: 'Google Cloud: service-account key',
  mint: mintServiceAccountKeyIdToken,
  validate: (account) => settingProblems(account.settings),
  describe: (account) => {
    const email = account.settings.clientEmail;
    const keyId = account.settings.privateKeyId;
    const name = typeof email === 'string' && email !== '' ? email : '(no service account)';
    return typeof keyId === 'string' && keyId !== '' ? `${name} (key ${keyId.slice(0, 8)})` : name;
  },
};
