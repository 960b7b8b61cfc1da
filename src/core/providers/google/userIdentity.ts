import { TokenExplorerError } from '../../errors';
import { ADC_SIGN_IN } from './credentials';
import type { Account, MintRequest, MintedToken, Provider, ProviderContext } from '../provider';
import { adcSearchOrder, findAdc } from './adc';
import { readCredentialsFile } from './credentialFiles';
import type { AuthorizedUserCredentials } from './credentials';
import { fetchUserIdToken } from './userRefresh';

async function userCredentials(
  account: Account,
  context: ProviderContext,
): Promise<AuthorizedUserCredentials> {
  const file = account.settings.credentialsFile;
  let credentials;
  if (typeof file === 'string' && file !== '') {
    credentials = await readCredentialsFile(context.files, file);
    if (credentials === undefined) {
      throw new TokenExplorerError(
        'no-credentials',
        `The credentials file ${file} set for this account does not exist. Fix the path, or clear it to use Application Default Credentials.`,
        { remedies: [{ kind: 'editAccountSettings' }] },
      );
    }
  } else {
    const found = await findAdc(context);
    if (!found?.credentials) {
      throw new TokenExplorerError(
        'no-credentials',
        `No Google user credentials were found. Looked at ${adcSearchOrder(context.env)}. Run \`gcloud auth application-default login\`, then try again.`,
        { remedies: [ADC_SIGN_IN] },
      );
    }
    credentials = found.credentials;
  }
  if (credentials.type !== 'authorized_user') {
    throw new TokenExplorerError(
      'bad-config',
      `${credentials.from} holds ${credentials.type} credentials, not a user's. For a service account's ID token, add a service-account impersonation or key account instead; for your own, run \`gcloud auth application-default login\`.`,
      { remedies: [{ kind: 'switchMethod' }, ADC_SIGN_IN] },
    );
  }
  return credentials;
}

/**
 * Mints the signed-in user's own ID token (the ADC `authorized_user` refresh grant's `id_token`).
 * Its audience is always the OAuth client id.
 * @throws TokenExplorerError `user-account-audience` when another audience is asked for.
 */
export async function mintUserIdToken(
  account: Account,
  request: MintRequest,
  context: ProviderContext,
): Promise<MintedToken> {
  const credentials = await userCredentials(account, context);
  if (request.audience !== '' && request.audience !== credentials.clientId) {
    throw new TokenExplorerError(
      'user-account-audience',
      `Google issues ID tokens with a custom audience (${request.audience}) only to service accounts; a user's ID token always has the OAuth client id (${credentials.clientId}) as its audience. Use a service-account impersonation account for that audience, or ask for the client id (Cloud Run accepts it for users with roles/run.invoker).`,
      { remedies: [{ kind: 'switchMethod' }] },
    );
  }
  return fetchUserIdToken(credentials, context, request.signal);
}

/** `google-user`: the user's own ID token from Application Default Credentials. */
export const userIdentityProvider: Provider = {
  kind: 'google-user',
  label: 'Google Cloud: your user account',
  mint: mintUserIdToken,
  validate: (account) => {
    const file = account.settings.credentialsFile;
    return file !== undefined && typeof file !== 'string'
      ? ['"credentialsFile" must be a file path.']
      : [];
  },
  describe: (account) => {
    const file = account.settings.credentialsFile;
    return typeof file === 'string' && file !== ''
      ? `Your Google account (${file})`
      : 'Your Google account (Application Default Credentials)';
  },
};
