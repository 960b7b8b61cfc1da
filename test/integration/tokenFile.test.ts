import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as vscode from 'vscode';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { tokenExplorer } from './helpers/api';

const IRSA_VARIABLE = 'AWS_WEB_IDENTITY_TOKEN_FILE';

describe('Token files in VS Code', () => {
  let issuer: OidcIssuer;
  let dir: string;
  const config = () => vscode.workspace.getConfiguration('tokenExplorer');

  before(async () => {
    issuer = await OidcIssuer.start();
    dir = await mkdtemp(join(tmpdir(), 'token-file-host-'));
    // The extension host is this process: the provider reads the variable from its environment.
    process.env[IRSA_VARIABLE] = join(dir, 'irsa-token');
    await config().update(
      'accounts',
      [
        {
          id: 'irsa',
          kind: 'token-file',
          name: 'EKS IRSA',
          settings: { pathVariable: IRSA_VARIABLE },
        },
        { id: 'pod', kind: 'token-file', settings: { path: join(dir, 'pod-token') } },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    delete process.env[IRSA_VARIABLE];
    await config().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await issuer.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gets the token the variable points at, verifiable, with its own audience', async () => {
    const written = await issuer.sign({
      aud: 'sts.amazonaws.com',
      sub: 'system:serviceaccount:payments:api',
    });
    await writeFile(join(dir, 'irsa-token'), written);
    const token = await vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'EKS IRSA',
    });
    assert.equal(token, written);
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), {
      issuer: issuer.url,
      audience: 'sts.amazonaws.com',
    });
    assert.equal(payload.sub, 'system:serviceaccount:payments:api');
  });

  it('says who rotates an expired token, and refuses another audience', async () => {
    const stale = Math.floor(Date.now() / 1000) - 60;
    await writeFile(
      join(dir, 'pod-token'),
      await issuer.sign({
        aud: ['https://kubernetes.default.svc'],
        exp: stale,
        sub: 'system:serviceaccount:default:web',
      }),
    );
    await assert.rejects(
      async () => vscode.commands.executeCommand('tokenExplorer.getIdToken', { account: 'pod' }),
      /expired at .*kubelet rewrites/s,
    );
    await writeFile(
      join(dir, 'pod-token'),
      await issuer.sign({
        aud: ['https://kubernetes.default.svc'],
        sub: 'system:serviceaccount:x:y',
      }),
    );
    await assert.rejects(
      async () =>
        vscode.commands.executeCommand('tokenExplorer.getIdToken', {
          account: 'pod',
          audience: 'https://elsewhere.example',
        }),
      /is for "https:\/\/kubernetes\.default\.svc", not "https:\/\/elsewhere\.example"/,
    );
  });
});
