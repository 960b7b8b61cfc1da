import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TrustReport } from '../../src/core/trust/types';
import { OidcIssuer } from '../emulators/oidcIssuer';
import { waitFor } from '../helpers/poll';
import { tokenExplorer } from './helpers/api';

describe('Would this trust accept it?', () => {
  let issuer: OidcIssuer;
  let token: string;

  before(async () => {
    issuer = await OidcIssuer.start();
    const api = await tokenExplorer();
    token = await issuer.sign({
      sub: 'repo:octo-org/octo-repo:environment:prod',
      aud: 'sts.amazonaws.com',
    });
    await vscode.commands.executeCommand('tokenExplorer.inspectJwt', token);
    await waitFor(
      'the webview to render the token',
      () => api.inspector.lastRendered()?.token === token,
    );
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await issuer.stop();
  });

  const check = (definition: string) =>
    vscode.commands.executeCommand<TrustReport | undefined>('tokenExplorer.checkTrust', {
      definition,
    });

  it('checks an AWS trust policy for the inspected token’s issuer and points at the failing sub', async () => {
    const provider = issuer.url.replace(/^https?:\/\//, '');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${provider}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${provider}:aud`]: 'sts.amazonaws.com' },
            StringLike: { [`${provider}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/*' },
          },
        },
      ],
    };
    const report = await check(JSON.stringify(policy));
    assert.equal(report?.kind, 'aws-iam-role');
    assert.equal(report?.verdict, 'rejected');
    const fail = report?.sections.flatMap((s) => s.findings).find((f) => f.outcome === 'fail');
    assert.equal(fail?.field, `Condition.StringLike["${provider}:sub"]`);
    assert.equal(fail?.actual, '"repo:octo-org/octo-repo:environment:prod"');
  });

  it('reads YAML (a Vault role) and accepts', async () => {
    const report = await check(
      `user_claim: sub\nbound_audiences: [sts.amazonaws.com]\nbound_claims_type: glob\nbound_claims:\n  sub: "repo:octo-org/*"\n`,
    );
    assert.equal(report?.kind, 'vault-jwt-role');
    assert.equal(report?.verdict, 'accepted', report?.summary);
  });

  it('says clearly when the text is no trust definition, and keeps working', async () => {
    assert.equal(await check('just some text'), undefined);
    const again = await check(
      JSON.stringify({
        issuer: issuer.url,
        subject: 'repo:octo-org/octo-repo:environment:prod',
        audiences: ['api://AzureADTokenExchange'],
      }),
    );
    assert.equal(again?.kind, 'entra-federated-credential');
    assert.equal(again?.verdict, 'rejected');
  });
});
