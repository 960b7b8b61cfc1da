// The embedded default `npm start` runs on: the project's own emulators (the GCE metadata server
// and the Google APIs) on 127.0.0.1, and demo accounts that use them, plus one for the
// extension's local issuer, so a newcomer can get, inspect and verify a token at once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleApis } from './google/googleApis';
import { MetadataServer } from './google/metadataServer';
import { startJwksServer } from './jwksServer';

export const DEMO_AUDIENCE = 'https://hello-demo.a.run.app';

/** What code-server is started with for the demo, and how to stop the servers. */
export interface Demo {
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
  const metadata = await MetadataServer.start({ projectId: 'demo-project' });
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

  const accounts = [
    {
      id: 'demo-metadata',
      kind: 'google-metadata',
      name: 'Demo: metadata server (emulated)',
      defaultAudience: DEMO_AUDIENCE,
      settings: { serviceAccount: 'default', format: 'full', endpoint: metadata.url },
    },
    {
      id: 'demo-impersonation',
      kind: 'google-impersonation',
      name: 'Demo: impersonation via IAM Credentials (emulated)',
      defaultAudience: DEMO_AUDIENCE,
      settings: { targetServiceAccount: invoker.email, iamCredentialsEndpoint: apis.url },
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
    },
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    accounts: [
      `${accounts[0]?.name}: ${metadata.url}`,
      `${accounts[1]?.name}: ${apis.url}, as ${user.email} for ${invoker.email}`,
      `${accounts[2]?.name}: Token Explorer: Start Local Issuer, then Get ID Token`,
    ],
    async stop() {
      await Promise.all([metadata.stop(), apis.stop(), jwks.stop()]);
    },
  };
}
