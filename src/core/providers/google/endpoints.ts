import type { ProviderContext } from '../provider';

/**
 * The Google APIs reached at a fixed host when neither the account nor a credentials file names
 * one, by the API names gcloud uses for the same override (`gcloud config set
 * api_endpoint_overrides/iam URL`; cloud.google.com/sdk/gcloud/reference/topic/configurations,
 * section "api_endpoint_overrides"). Values are base URLs (scheme, host, optional port).
 */
export const GOOGLE_API_DEFAULTS = {
  /** IAM: listing a project's service accounts. */
  iam: 'https://iam.googleapis.com',
  /** IAM Credentials: generateIdToken for impersonation. */
  iamcredentials: 'https://iamcredentials.googleapis.com',
} as const;

/** An API of {@link GOOGLE_API_DEFAULTS}. */
export type GoogleApi = keyof typeof GOOGLE_API_DEFAULTS;

/**
 * Base URLs that replace {@link GOOGLE_API_DEFAULTS}, from the machine-scoped setting
 * `tokenExplorer.google.endpoints` (a private endpoint, a VPC Service Controls host, or the
 * emulators of `npm start`).
 */
export type GoogleEndpoints = Readonly<Partial<Record<GoogleApi, string>>>;

/** The base URL of `api` (no trailing slash): the configured endpoint, else Google's. */
export function googleApiBase(context: Pick<ProviderContext, 'googleEndpoints'>, api: GoogleApi) {
  return (context.googleEndpoints?.[api] ?? GOOGLE_API_DEFAULTS[api]).replace(/\/+$/, '');
}
