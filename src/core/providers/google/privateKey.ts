// The `private_key` of a service-account key as people have it, normalised to PKCS#8 PEM.
import { createPrivateKey } from 'node:crypto';
import { badCredentials } from './credentials';

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

/**
 * The key as PKCS#8 PEM (what jose's `importPKCS8` reads). Accepts what gcloud and
 * google-auth-library accept (both hand the PEM to OpenSSL / node:crypto, which read PKCS#1 too):
 * PKCS#8 (`BEGIN PRIVATE KEY`, as Google issues keys), PKCS#1 (`BEGIN RSA PRIVATE KEY`, what
 * `openssl rsa` writes), CRLF line ends, and `\n` escaped twice (a literal backslash-n, as keys
 * pasted through an environment variable or a second JSON encoding end up).
 * @throws TokenExplorerError `bad-credentials` saying which kind of key it is and what to do.
 */
export function pkcs8PrivateKey(privateKey: string, from: string): string {
  const pem = privateKey.replace(/(?:\\r)?\\n/g, '\n').replace(/\r\n?/g, '\n');
  const label = PEM_LABEL.exec(pem)?.[1];
  if (label === 'PRIVATE KEY') return pem;
  if (label === 'RSA PRIVATE KEY') {
    try {
      return createPrivateKey({ key: pem, format: 'pem' })
        .export({ type: 'pkcs8', format: 'pem' })
        .toString();
    } catch {
      throw badCredentials(
        from,
        '"private_key" is marked as a PKCS#1 RSA key (-----BEGIN RSA PRIVATE KEY-----) but does not parse; the file may be damaged. Download a new JSON key from the Cloud console.',
      );
    }
  }
  const why =
    label === 'ENCRYPTED PRIVATE KEY' || pem.includes('Proc-Type: 4,ENCRYPTED')
      ? 'is encrypted with a passphrase; Google keys are not. Decrypt it (`openssl pkcs8 -in key.pem -nocrypt -topk8`) or download a new JSON key.'
      : label
        ? `is a "${label}", not an RSA private key. Google service-account keys are RSA (-----BEGIN PRIVATE KEY-----); download a new JSON key from the Cloud console.`
        : 'is not a PEM key (no -----BEGIN ... KEY----- line). Download a new JSON key from the Cloud console.';
  throw badCredentials(from, `"private_key" ${why}`);
}
