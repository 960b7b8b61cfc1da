/**
 * Audience presets offered by Get ID Token: the audiences people most often need, each with the
 * one line that says when. Placeholders in CAPITALS are for the user to fill in.
 */
export interface AudiencePreset {
  readonly label: string;
  /** The audience, or a template with CAPITALISED placeholders. */
  readonly audience: string;
  readonly explanation: string;
}

export const AUDIENCE_PRESETS: readonly AudiencePreset[] = [
  {
    label: 'Cloud Run service URL',
    audience: 'https://SERVICE-PROJECT_NUMBER.REGION.run.app',
    explanation:
      'Cloud Run and Cloud Functions: the service URL, exactly, without a path (or a custom audience set on the service).',
  },
  {
    label: 'IAP OAuth client id',
    audience: 'CLIENT_ID.apps.googleusercontent.com',
    explanation:
      'Identity-Aware Proxy: the OAuth client id of the IAP application; the token must include email.',
  },
  {
    label: 'GCP workload identity provider',
    audience:
      'https://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL_ID/providers/PROVIDER_ID',
    explanation:
      "Google workload identity federation: the provider's default allowed audience (its full resource name as an https URL).",
  },
  {
    label: 'AWS STS',
    audience: 'sts.amazonaws.com',
    explanation:
      'AWS AssumeRoleWithWebIdentity: the audience an IAM OIDC identity provider registers by default.',
  },
  {
    label: 'Azure / Entra workload identity',
    audience: 'api://AzureADTokenExchange',
    explanation:
      'Microsoft Entra federated identity credentials: the recommended audience for token exchange.',
  },
  {
    label: 'Sigstore',
    audience: 'sigstore',
    explanation: 'Sigstore Fulcio keyless signing (cosign): the audience Fulcio accepts.',
  },
];

/** True when a preset still holds placeholders the user must replace before minting. */
export function hasPlaceholders(audience: string): boolean {
  return /\b[A-Z][A-Z_]{2,}\b/.test(audience.replace(/AzureADTokenExchange/, ''));
}
