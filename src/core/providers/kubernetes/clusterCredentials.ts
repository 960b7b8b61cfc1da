import { errorMessage, asClause } from '../../errors';
import type { ProviderContext } from '../provider';
import type { KubeCredentials, ResolvedKubeContext, UnsupportedAuth } from './kubeconfig';
import { badConfig } from './kubeconfig';
import { CERTIFICATE, PRIVATE_KEY } from './resolveContext';

const UNSUPPORTED: Record<UnsupportedAuth, string> = {
  exec: 'logs in through an exec credential plugin',
  'auth-provider': 'logs in through an auth-provider plugin that has not cached a token yet',
  basic: 'logs in with a user name and password',
};

/** Reads a file a kubeconfig field names; missing files and missing PEM markers are errors. */
async function readReferenced(
  context: ProviderContext,
  path: string,
  field: string,
  owner: { readonly source: string },
  what: string,
  marker?: RegExp,
): Promise<string> {
  let text: string | undefined;
  try {
    text = await context.files.readText(path);
  } catch (error) {
    throw badConfig(
      `The file ${path} (the "${field}" of ${what} in ${owner.source}) could not be read: ${asClause(errorMessage(error))}.`,
      error,
    );
  }
  if (text === undefined) {
    throw badConfig(
      `The file ${path} (the "${field}" of ${what} in ${owner.source}) does not exist.`,
    );
  }
  if (marker && !marker.test(text)) {
    throw badConfig(
      `The file ${path} (the "${field}" of ${what} in ${owner.source}) is not a PEM ${marker === CERTIFICATE ? 'certificate' : 'private key'}.`,
    );
  }
  return text;
}

/**
 * Reads the TLS material and credentials of a resolved context (CA, client certificate and key,
 * token file). Token wins over token file; both may go along with a client certificate.
 * @throws TokenExplorerError `bad-config` when a referenced file is missing or broken, or the user
 * logs in through a plugin (exec, auth-provider) or with a password: the kubectl method does those.
 */
export async function readClusterCredentials(
  context: ProviderContext,
  resolved: ResolvedKubeContext,
): Promise<KubeCredentials> {
  const { cluster, user } = resolved;
  if (user?.unsupported) {
    throw badConfig(
      `The user "${user.name}" of the context "${resolved.name}" (in ${user.source}) ${UNSUPPORTED[user.unsupported]}, which Token Explorer does not support yet: use the kubectl method for this account (settings "method": "kubectl").`,
    );
  }
  const clusterWhat = `cluster "${cluster.name}"`;
  const ca =
    cluster.certificateAuthorityData ??
    (cluster.certificateAuthority
      ? await readReferenced(
          context,
          cluster.certificateAuthority,
          'certificate-authority',
          cluster,
          clusterWhat,
          CERTIFICATE,
        )
      : undefined);
  let token: string | undefined;
  let clientCertificate: string | undefined;
  let clientKey: string | undefined;
  if (user?.tokenExpiry !== undefined && Date.parse(user.tokenExpiry) <= context.clock.now()) {
    throw badConfig(
      `The token that the auth-provider of user "${user.name}" (in ${user.source}) cached expired at ${user.tokenExpiry}. Run any kubectl command (e.g. \`kubectl get --raw /version --context ${resolved.name}\`) to refresh it, or use the kubectl method for this account (settings "method": "kubectl").`,
    );
  }
  if (user) {
    const userWhat = `user "${user.name}"`;
    token = user.token;
    if (!token && user.tokenFile) {
      token = (await readReferenced(context, user.tokenFile, 'tokenFile', user, userWhat)).trim();
      if (!token) throw badConfig(`The token file ${user.tokenFile} of ${userWhat} is empty.`);
    }
    clientCertificate =
      user.clientCertificateData ??
      (user.clientCertificate
        ? await readReferenced(
            context,
            user.clientCertificate,
            'client-certificate',
            user,
            userWhat,
            CERTIFICATE,
          )
        : undefined);
    clientKey =
      user.clientKeyData ??
      (user.clientKey
        ? await readReferenced(context, user.clientKey, 'client-key', user, userWhat, PRIVATE_KEY)
        : undefined);
  }
  return {
    server: cluster.server,
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    ...(token ? { token } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
    ...(clientKey ? { clientKey } : {}),
  };
}
