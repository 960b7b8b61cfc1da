import * as assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { makeFakeAws } from '../emulators/aws/fakeAws';
import type { FakeAws } from '../emulators/aws/fakeAws';
import { StsServer } from '../emulators/aws/stsServer';
import { tokenExplorer } from './helpers/api';

const REGION = 'us-east-2';
const PRINCIPAL = {
  accessKeyId: 'AKIAHOSTTESTEXAMPLE1',
  secretAccessKey: 'host-test-secret-key',
  arn: 'arn:aws:iam::111122223333:role/otel-writer',
};
const ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED'] as const;

describe('AWS STS GetWebIdentityToken in VS Code', () => {
  let sts: StsServer;
  let aws: FakeAws;
  const saved = new Map<string, string | undefined>();
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');

  before(async () => {
    sts = await StsServer.start({
      region: REGION,
      account: '111122223333',
      principals: [PRINCIPAL],
    });
    aws = await makeFakeAws({
      endpoint: sts.url,
      profiles: { ci: { ...PRINCIPAL, region: REGION } },
    });
    // The extension host is this process: the SDK's chain reads these variables.
    for (const name of ENV) saved.set(name, process.env[name]);
    process.env.AWS_ACCESS_KEY_ID = PRINCIPAL.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = PRINCIPAL.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    await config().update(
      'accounts',
      [
        {
          id: 'aws-cli',
          kind: 'aws-sts',
          name: 'AWS via CLI',
          defaultAudience: 'https://api.example.com',
          settings: { awsPath: aws.path, profile: 'ci', signingAlgorithm: 'ES384' },
        },
        {
          id: 'aws-sdk',
          kind: 'aws-sts',
          name: 'AWS via SDK',
          settings: { method: 'sdk', region: REGION, endpointUrl: sts.url, durationSeconds: 600 },
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await sts.stop();
    await aws.cleanup();
  });

  it('gets a token through the aws CLI with the default audience, verifiable', async () => {
    const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'AWS via CLI',
    });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(sts.jwks()), {
      issuer: sts.issuer,
      audience: 'https://api.example.com',
    });
    assert.equal(protectedHeader.alg, 'ES384');
    assert.equal(payload.sub, PRINCIPAL.arn);
    assert.ok((await aws.calls()).some((args) => args.includes('get-web-identity-token')));
  });

  it('gets a token natively, loading the AWS SDK bundle on first use', async () => {
    const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'AWS via SDK',
      audience: 'urn:partner',
    });
    const { payload } = await jwtVerify(token, createLocalJWKSet(sts.jwks()), {
      audience: 'urn:partner',
    });
    assert.equal((payload.exp as number) - (payload.iat as number), 600);
    assert.equal(sts.calls.at(-1)?.accessKeyId, PRINCIPAL.accessKeyId);
  });

  it('explains a disabled federation with the command that enables it', async () => {
    sts.federationEnabled = false;
    try {
      await assert.rejects(
        async () =>
          vscode.commands.executeCommand('tokenExplorer.getIdToken', {
            account: 'AWS via SDK',
            audience: 'urn:other',
          }),
        /OutboundWebIdentityFederationDisabledException[\s\S]*enable-outbound-web-identity-federation/,
      );
    } finally {
      sts.federationEnabled = true;
    }
  });
});
