// The embedded default `npm start` runs on: the project's own emulators (the GCE metadata server,
// the Google APIs and a Cloud Run service behind its front end) on 127.0.0.1, and demo accounts
// that use them, plus one for the extension's local issuer, so a newcomer can get, inspect, verify
// a token and call a service at once. Every Google endpoint the extension could reach points at an
// emulator: the accounts name none of Google's hosts, and `tokenExplorer.google.endpoints` sends
// the wizard's IAM listing and new impersonation accounts to the emulator too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleApis } from './google/googleApis';
import { MetadataServer } from './google/metadataServer';
import { startJwksServer } from './jwksServer';
import { ProtectedService } from './services/protectedService';

/** The service account the demo metadata server runs as. */
const METADATA_ACCOUNT = 'runner@demo-project.iam.gserviceaccount.com';

/** What code-server is started with for the demo, and how to stop the servers. */
export interface Demo {
  /**
   * The emulated Cloud Run service's URL, which is also the demo accounts' default audience (Cloud
   * Run accepts ID tokens whose `aud` is its URL); any other audience gets its 401.
   */
  readonly serviceUrl: string;
  /** Environment of the extension host (Application Default Credentials for the emulators). */
  readonly env: Record<string, string>;
  /** Remote (machine) settings: the demo accounts and where Google's keys are. */
  readonly machineSettings: Record<string, unknown>;
  /** User settings of the throwaway profile. */
  readonly settings: Record<string, unknown>;
  /** One line per demo account, for the console. */
  readonly accounts: readonly string[];
  stop(): Promise<void>;
}

/** Starts the emulators and describes the demo profile; `dir` holds the demo ADC file. */
export async function startDemo(dir: string): Promise<Demo> {
  const metadata = await MetadataServer.start({
    projectId: 'demo-project',
    serviceAccounts: [{ email: METADATA_ACCOUNT, uniqueId: '104328519573830287731' }],
  });
  const apis = await GoogleApis.start();
  const user = apis.addUser({ email: 'newcomer@example.com' });
  const invoker = await apis.addServiceAccount({
    email: 'invoker@demo-project.iam.gserviceaccount.com',
    displayName: 'Demo invoker',
    withKey: false,
  });
  apis.allow(user.email, invoker.email);
  const adcFile = join(dir, 'application_default_credentials.json');
  writeFileSync(adcFile, user.adcJson, { mode: 0o600 });
  const jwks = await startJwksServer(() => [...apis.jwks().keys, ...metadata.jwks().keys]);
  // Cloud Run's front end (./services/protectedService, rules cited there): verifies the token
  // against the key set of both Google emulators, then lets in the two demo service accounts.
  const service = await ProtectedService.start({
    frontEnd: 'cloud-run',
    jwksUrl: jwks.url,
    invokers: [METADATA_ACCOUNT, invoker.email],
  });
  const audience = service.url;

  const accounts = [
    {
      id: 'demo-metadata',
      kind: 'google-metadata',
      name: 'Demo: metadata server (emulated)',
      defaultAudience: audience,
      settings: { serviceAccount: 'default', format: 'full', endpoint: metadata.url },
    },
    {
      id: 'demo-impersonation',
      kind: 'google-impersonation',
      name: 'Demo: impersonation via IAM Credentials (emulated)',
      defaultAudience: audience,
      // No endpoint of its own: tokenExplorer.google.endpoints (below) sends it to the emulator.
      settings: { targetServiceAccount: invoker.email },
    },
    {
      id: 'demo-local-issuer',
      kind: 'local-issuer',
      name: 'Demo: local issuer (start it first)',
      defaultAudience: 'http://localhost:8080',
      settings: { sub: 'demo-user' },
    },
  ];
  return {
    env: { GOOGLE_APPLICATION_CREDENTIALS: adcFile, GCE_METADATA_HOST: metadata.host },
    machineSettings: {
      'tokenExplorer.accounts': accounts,
      'tokenExplorer.verification.jwksUris': { 'https://accounts.google.com': jwks.url },
      'tokenExplorer.google.endpoints': { iam: apis.url, iamcredentials: apis.url },
    },
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    serviceUrl: service.url,
    accounts: [
      `${accounts[0]?.name}: ${metadata.url}`,
      `${accounts[1]?.name}: ${apis.url}, as ${user.email} for ${invoker.email}`,
      `${accounts[2]?.name}: Token Explorer: Start Local Issuer, then Get ID Token`,
      `Emulated Cloud Run service for Call Service: ${service.url} (lets in both demo service accounts)`,
    ],
    async stop() {
      await Promise.all([metadata.stop(), apis.stop(), jwks.stop(), service.stop()]);
    },
  };
}
