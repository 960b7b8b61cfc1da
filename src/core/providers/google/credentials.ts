// The shapes of Google credentials (every ADC file type) and the helpers that read their fields.
import { isNonEmptyString } from '../../guards';
import { TokenExplorerError } from '../../errors';
import type { Remedy } from '../../remedies';

/** Google's OAuth 2.0 token endpoint, the default `token_uri`. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Google's security token service, the default `token_url` of `external_account`. */
export const GOOGLE_STS_URL = 'https://sts.googleapis.com/v1/token';
/** The default `token_url` of `external_account_authorized_user` (google-auth-library). */
export const GOOGLE_STS_OAUTH_URL = 'https://sts.googleapis.com/v1/oauthtoken';
/** The scope every access token here asks for. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Refresh access tokens this long before they expire, as the official clients do. */
export const EAGER_REFRESH_MS = 5 * 60_000;
/** The command that (re)creates user Application Default Credentials, for advice. */
export const ADC_LOGIN = 'gcloud auth application-default login';
/** Copying ADC_LOGIN: what fixes missing or expired Application Default Credentials. */
export const ADC_SIGN_IN: Remedy = {
  kind: 'copyCommand',
  command: ADC_LOGIN,
  label: 'Copy Command',
};

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
    }
  | {
      /** `environment_id: aws1`: a signed AWS GetCallerIdentity request (see awsSource.ts). */
      readonly kind: 'aws';
      /** The availability zone's URL, when AWS_REGION / AWS_DEFAULT_REGION are not set. */
      readonly regionUrl?: string;
      /** The instance role listing (security credentials), when AWS_ACCESS_KEY_ID is not set. */
      readonly url?: string;
      /** GetCallerIdentity's URL, `{region}` standing for the region. */
      readonly regionalCredVerificationUrl: string;
      /** Where to PUT for an IMDSv2 session token; absent: metadata calls go without one. */
      readonly imdsv2SessionTokenUrl?: string;
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
  readonly quotaProjectId?: string;
}

/**
 * `external_account_authorized_user`: a workforce identity federation login (`gcloud auth
 * application-default login` with a workforce pool): a refresh token for the pool's STS.
 */
export interface ExternalAccountAuthorizedUserCredentials {
  readonly type: 'external_account_authorized_user';
  readonly from: string;
  readonly refreshToken: string;
  /** Default `https://sts.googleapis.com/v1/oauthtoken` (google-auth-library). */
  readonly tokenUrl: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The workforce pool provider, `//iam.googleapis.com/locations/global/workforcePools/...`. */
  readonly audience?: string;
  readonly quotaProjectId?: string;
}

/** Every credential file type Application Default Credentials accepts. */
export type GoogleCredentials =
  | AuthorizedUserCredentials
  | ServiceAccountCredentials
  | ImpersonatedCredentials
  | ExternalAccountCredentials
  | ExternalAccountAuthorizedUserCredentials;

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

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/** A `bad-credentials` error naming where the credentials came from. */
export function badCredentials(from: string, problem: string): TokenExplorerError {
  return new TokenExplorerError(
    'bad-credentials',
    `The Google credentials in ${from} cannot be used: ${problem}`,
  );
}

/** A non-empty string field of a credentials object, else `bad-credentials` naming it. */
export function requireString(obj: Json, field: string, from: string, what: string): string {
  const value = obj[field];
  if (!isNonEmptyString(value)) {
    throw badCredentials(
      from,
      `the ${what} credentials have no "${field}" field (or it is empty). Recreate the file (for user credentials: \`${ADC_LOGIN}\`).`,
    );
  }
  return value;
}

/** A string field when present and non-empty. */
export function optionalString(obj: Json, field: string): string | undefined {
  const value = obj[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
