import * as assert from 'node:assert/strict';
import { fetchJson } from '../../../src/core/http';
import { KubeApiServer } from '../../emulators/kubernetes/apiServer';
import { rejectsWith } from '../helpers/assertions';

describe('http: TLS failures', () => {
  let server: KubeApiServer;
  before(async () => {
    // A real HTTPS server whose certificate is signed by a CA made at start, which this process
    // does not trust: what a TLS-inspecting corporate proxy looks like to Node.
    server = await KubeApiServer.start();
  });
  after(() => server.stop());

  it('explains an untrusted certificate with the fixes (system certificates, NODE_EXTRA_CA_CERTS)', async () => {
    const error = await rejectsWith(
      fetchJson((input, init) => fetch(input, init), `${server.url}/openid/v1/jwks`, 3000),
      'network',
      /not signed by a CA this computer trusts \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
      /http\.systemCertificates/,
      /NODE_EXTRA_CA_CERTS/,
    );
    assert.ok(error.message.startsWith(`Could not reach ${server.url}`));
  });
});
