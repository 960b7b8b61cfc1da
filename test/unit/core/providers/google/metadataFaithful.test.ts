import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAvailable, resetIsAvailableCache } from 'gcp-metadata';
import { GoogleAuth } from 'google-auth-library';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { MetadataServer } from '../../../../emulators/google/metadataServer';
import { GOOGLE_CLIENT_VARIABLES, clearVariables } from '../../../../fixtures/officialClients';

// Proves the emulator speaks what Google's own Node client expects, so tests against it mean
// something for real metadata servers.
describe('metadata server emulator, seen by google-auth-library', () => {
  let server: MetadataServer;
  let emptyConfig: string;
  let restore: () => void;

  before(async () => {
    server = await MetadataServer.start({ projectId: 'faithful-proj' });
    emptyConfig = await mkdtemp(join(tmpdir(), 'gcloud-config-'));
    restore = clearVariables(GOOGLE_CLIENT_VARIABLES);
    process.env.GCE_METADATA_HOST = server.host;
    // No ADC file may be found before the metadata server.
    process.env.CLOUDSDK_CONFIG = emptyConfig;
    resetIsAvailableCache();
  });
  after(async () => {
    restore();
    resetIsAvailableCache();
    await server.stop();
    await rm(emptyConfig, { recursive: true, force: true });
  });

  it('is detected by gcp-metadata isAvailable()', async () => {
    assert.equal(await isAvailable(), true);
    assert.ok(server.requests.some((r) => r.path.startsWith('/computeMetadata/v1/instance')));
  });

  it('gives GoogleAuth an ID token client whose Bearer token verifies', async () => {
    const audience = 'https://faithful.example.com';
    const client = await new GoogleAuth().getIdTokenClient(audience);
    const headers: unknown = await client.getRequestHeaders();
    const authorization =
      headers instanceof Headers
        ? headers.get('authorization')
        : (headers as Record<string, string>).Authorization;
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    assert.ok(match, `unexpected Authorization header ${authorization}`);
    const { payload } = await jwtVerify(match[1] ?? '', createLocalJWKSet(server.jwks()), {
      issuer: 'https://accounts.google.com',
      audience,
    });
    assert.equal(payload.email, 'runner@faithful-proj.iam.gserviceaccount.com');
    const identity = server.requests.find((r) => r.path.endsWith('/identity'));
    assert.equal(identity?.query.format, 'full');
  });
});
