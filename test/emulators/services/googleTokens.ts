import type { GoogleApis } from '../google/googleApis';

/**
 * Mints a Google-signed ID token for a service account through the emulator's IAM Credentials
 * `generateIdToken`, as a caller holding an access token for `caller` would. `issuedAtMs` moves
 * the emulator's clock for this one mint (for expired tokens).
 */
export async function mintGoogleIdToken(
  apis: GoogleApis,
  options: {
    readonly caller: string;
    readonly serviceAccount: string;
    readonly audience: string;
    readonly includeEmail?: boolean;
    readonly issuedAtMs?: number;
  },
): Promise<string> {
  const clock = apis.now;
  if (options.issuedAtMs !== undefined) {
    const at = options.issuedAtMs;
    apis.now = () => at;
  }
  try {
    const access = apis.issueAccessToken(options.caller);
    const response = await fetch(
      `${apis.url}/v1/projects/-/serviceAccounts/${options.serviceAccount}:generateIdToken`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          audience: options.audience,
          includeEmail: options.includeEmail ?? true,
        }),
      },
    );
    const body = (await response.json()) as { token?: string };
    if (!response.ok || !body.token) throw new Error(`generateIdToken: ${response.status}`);
    return body.token;
  } finally {
    apis.now = clock;
  }
}
