import * as assert from 'node:assert/strict';
import {
  OFFICIAL_TEXTS,
  recogniseOfficialText,
} from '../../../../src/core/providers/officialTexts';

/** What each tool prints, per row: as quoted by the row's source or public reports. */
const SAMPLES: Record<string, { tool: 'gcloud' | 'kubernetes' | 'aws'; texts: string[] }> = {
  'gcloud-impersonation-denied': {
    tool: 'gcloud',
    texts: [
      `ERROR: (gcloud.auth.print-identity-token) PERMISSION_DENIED: Failed to impersonate [sa@p.iam.gserviceaccount.com]. Make sure the account that's trying to impersonate it has access to the service account itself and the "roles/iam.serviceAccountTokenCreator" role. Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).`,
      'ERROR: (gcloud.auth.print-identity-token) failed to impersonate [sa@p.iam.gserviceaccount.com].',
    ],
  },
  'gcloud-user-audience': {
    tool: 'gcloud',
    texts: [
      'ERROR: (gcloud.auth.print-identity-token) Invalid account type for `--audiences`. Requires valid service account.',
      'ERROR: (gcloud.auth.print-identity-token) Invalid account Type for `--audiences`. Requires valid service account.',
    ],
  },
  'gcloud-key-revoked': {
    tool: 'gcloud',
    texts: [
      "ERROR: (gcloud.auth.print-identity-token) There was a problem refreshing your current auth tokens: ('invalid_grant: Invalid JWT Signature.', {'error': 'invalid_grant', 'error_description': 'Invalid JWT Signature.'})",
    ],
  },
  'gcloud-reauthentication': {
    tool: 'gcloud',
    texts: [
      'Reauthentication required.\nERROR: (gcloud.auth.print-identity-token) Please run:\n\n  $ gcloud auth login\n\nto complete reauthentication.',
      'ERROR: (gcloud.auth.print-identity-token) There was a problem refreshing your current auth tokens: Reauthentication failed. cannot prompt during non-interactive execution.',
    ],
  },
  'gcloud-no-active-account': {
    tool: 'gcloud',
    texts: [
      'ERROR: (gcloud.auth.print-identity-token) You do not currently have an active account selected.',
    ],
  },
  'gcloud-no-credentials': {
    tool: 'gcloud',
    texts: [
      'ERROR: (gcloud.auth.print-identity-token) Your current active account [bob@example.com] does not have any valid credentials',
    ],
  },
  'gcloud-refresh-failed': {
    tool: 'gcloud',
    texts: [
      "ERROR: (gcloud.auth.print-identity-token) There was a problem refreshing your current auth tokens: ('invalid_grant: Token has been expired or revoked.', {})",
      'ERROR: (gcloud.auth.print-identity-token) There was a problem refreshing auth tokens for account x: y',
    ],
  },
  'gcloud-list-denied': {
    tool: 'gcloud',
    texts: [
      "ERROR: (gcloud.iam.service-accounts.list) PERMISSION_DENIED: Permission 'iam.serviceAccounts.list' denied on resource (or it may not exist).",
    ],
  },
  'gcloud-permission-denied': {
    tool: 'gcloud',
    texts: [
      "ERROR: (gcloud.auth.print-identity-token) PERMISSION_DENIED: Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).",
    ],
  },
  'kubernetes-service-account-missing': {
    tool: 'kubernetes',
    texts: [
      'serviceaccounts "builder" not found',
      'error: failed to create token: serviceaccounts "builder" not found',
    ],
  },
  'kubernetes-namespace-missing': {
    tool: 'kubernetes',
    texts: ['namespaces "ghost" not found'],
  },
  'kubernetes-token-request-missing': {
    tool: 'kubernetes',
    texts: [
      'the server could not find the requested resource',
      'error: failed to create token: the server could not find the requested resource',
    ],
  },
  'kubernetes-plain-404': { tool: 'kubernetes', texts: ['404 page not found\n'] },
  'aws-federation-disabled': {
    tool: 'aws',
    texts: [
      'An error occurred (OutboundWebIdentityFederationDisabledException) when calling the GetWebIdentityToken operation: The outbound web identity federation feature is not enabled for this account.',
    ],
  },
  'aws-payload-too-large': {
    tool: 'aws',
    texts: [
      'An error occurred (JWTPayloadSizeExceededException) when calling the GetWebIdentityToken operation: The requested token payload size exceeds the maximum allowed size.',
    ],
  },
  'aws-duration-escalation': {
    tool: 'aws',
    texts: [
      'STS GetWebIdentityToken failed (HTTP 403, SessionDurationEscalationException): The requested token duration would extend the session beyond its original expiration time.',
    ],
  },
  'aws-access-denied': {
    tool: 'aws',
    texts: [
      'An error occurred (AccessDenied) when calling the GetWebIdentityToken operation: User: arn:aws:iam::123456789012:user/x is not authorized to perform: sts:GetWebIdentityToken',
    ],
  },
  'aws-sso-expired': {
    tool: 'aws',
    texts: [
      'Error when retrieving token from sso: Token has expired and refresh failed',
      'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.',
    ],
  },
  'aws-profile-missing': {
    tool: 'aws',
    texts: [
      'The config profile (ci) could not be found',
      'Profile ci could not be found in shared credentials file.',
    ],
  },
  'aws-no-credentials': {
    tool: 'aws',
    texts: [
      'Unable to locate credentials. You can configure credentials by running "aws configure".',
      'The AWS SDK found no usable credentials: Could not load credentials from any providers',
    ],
  },
  'aws-expired-credentials': {
    tool: 'aws',
    texts: [
      'An error occurred (ExpiredToken) when calling the GetWebIdentityToken operation: The security token included in the request is expired',
      'STS GetWebIdentityToken failed (HTTP 403, SignatureDoesNotMatch): Signature expired: 20260101T000000Z is now earlier than 20260101T010000Z (20260101T011500Z - 15 min.)',
    ],
  },
  'aws-invalid-credentials': {
    tool: 'aws',
    texts: [
      'An error occurred (InvalidClientTokenId) when calling the GetWebIdentityToken operation: The security token included in the request is invalid.',
      'An error occurred (SignatureDoesNotMatch) when calling the GetWebIdentityToken operation: The request signature we calculated does not match the signature you provided.',
    ],
  },
  'aws-region-missing': {
    tool: 'aws',
    texts: [
      'You must specify a region. You can also configure your region by running "aws configure".',
    ],
  },
  'aws-cli-outdated': {
    tool: 'aws',
    texts: [
      'aws: error: argument operation: Invalid choice, valid choices are:\n\nassume-role | get-caller-identity',
    ],
  },
};

describe('official texts table', () => {
  it('has a sample for every row, and each sample is recognised as its row', () => {
    assert.deepEqual(
      OFFICIAL_TEXTS.map((row) => row.id).sort(),
      Object.keys(SAMPLES).sort(),
      'every row needs samples',
    );
    for (const [id, { tool, texts }] of Object.entries(SAMPLES)) {
      for (const text of texts) {
        assert.equal(recogniseOfficialText(tool, text)?.id, id, text);
        // Case-insensitive: gcloud has changed the case of its texts between releases.
        assert.equal(recogniseOfficialText(tool, text.toUpperCase())?.id, id, text);
      }
    }
  });

  it('names a source and gives advice for every row', () => {
    for (const row of OFFICIAL_TEXTS) {
      assert.ok(row.source.length > 20, row.id);
      const advice = row.advice({
        account: 'alice@example.com',
        target: 'sa@p.iam.gserviceaccount.com',
        namespace: 'ns',
        serviceAccount: 'builder',
        context: 'ctx',
      });
      assert.ok(advice.length > 20, row.id);
    }
  });

  it('advises the roles and commands that fit the account', () => {
    const byId = (id: string) => OFFICIAL_TEXTS.find((row) => row.id === id)!;
    const impersonation = byId('gcloud-impersonation-denied').advice({
      account: 'ci@p.iam.gserviceaccount.com',
      target: 'sa@p.iam.gserviceaccount.com',
    });
    assert.match(impersonation, /--member=serviceAccount:ci@p\.iam\.gserviceaccount\.com/);
    assert.match(impersonation, /--role=roles\/iam\.serviceAccountTokenCreator/);
    for (const id of ['gcloud-refresh-failed', 'gcloud-no-credentials', 'gcloud-key-revoked']) {
      const advice = byId(id).advice({ account: 'ci@p.iam.gserviceaccount.com' });
      assert.match(advice, /gcloud auth activate-service-account ci@p/, id);
      assert.doesNotMatch(advice, /Run `gcloud auth login/, id);
    }
    assert.match(
      byId('gcloud-refresh-failed').advice({ account: 'alice@example.com' }),
      /Run `gcloud auth login alice@example\.com`/,
    );
  });

  it('recognises nothing in unrelated output, and only the given tool', () => {
    assert.equal(recogniseOfficialText('gcloud', 'ERROR: (gcloud) something else'), undefined);
    assert.equal(
      recogniseOfficialText('kubernetes', 'Invalid account type for `--audiences`'),
      undefined,
    );
  });
});
