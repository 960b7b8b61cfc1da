import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { GoogleApis } from '../emulators/google/googleApis';
import { ForwardProxy } from '../emulators/net/forwardProxy';
import { tokenExplorer } from './helpers/api';

const USER = 'dev@example.com';
const TARGET = 'runner@demo-project.iam.gserviceaccount.com';
// A name only the proxy resolves: without the proxy the mint cannot reach the IAM emulator.
const HOST = 'iamcredentials.proxy-test.invalid';

/** http.proxy, read at each request: a changed setting routes the next mint through the proxy. */
describe('Outbound proxy (http.proxy)', () => {
  let apis: GoogleApis;
  let proxy: ForwardProxy;
  let dir: string;
  const http = () => vscode.workspace.getConfiguration('http');
  const accounts = () => vscode.workspace.getConfiguration('tokenExplorer');
  const mint = (audience: string) =>
    vscode.commands.executeCommand<string>('tokenExplorer.getIdToken', {
      account: 'via-proxy',
      audience,
    });

  before(async () => {
    [apis, proxy] = await Promise.all([GoogleApis.start(), ForwardProxy.start()]);
    proxy.hosts.set(HOST, '127.0.0.1');
    const user = apis.addUser({ email: USER });
    await apis.addServiceAccount({ email: TARGET, withKey: false });
    apis.allow(USER, TARGET);
    dir = await mkdtemp(join(tmpdir(), 'outbound-proxy-'));
    const credentialsFile = join(dir, 'adc.json');
    await writeFile(credentialsFile, user.adcJson);
    await accounts().update(
      'accounts',
      [
        {
          id: 'via-proxy',
          kind: 'google-impersonation',
          settings: {
            targetServiceAccount: TARGET,
            credentialsFile,
            iamCredentialsEndpoint: `http://${HOST}:${new URL(apis.url).port}`,
          },
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    await tokenExplorer();
  });

  after(async () => {
    await http().update('proxy', undefined, vscode.ConfigurationTarget.Global);
    await accounts().update('accounts', undefined, vscode.ConfigurationTarget.Global);
    await Promise.all([apis.stop(), proxy.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('a mint goes through the proxy once http.proxy names it, and directly once cleared', async () => {
    await http().update('proxy', undefined, vscode.ConfigurationTarget.Global);
    await assert.rejects(async () => mint('https://before.example.com'), /could not be resolved/);
    assert.equal(proxy.requests.length, 0);

    await http().update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    const token = await mint('https://with-proxy.example.com');
    assert.ok(token, 'minted through the proxy');
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      aud: string;
    };
    assert.equal(payload.aud, 'https://with-proxy.example.com');
    const generateIdToken = proxy.requests.filter((r) => r.target.includes(HOST));
    assert.ok(generateIdToken.length > 0, JSON.stringify(proxy.requests));
    // With VS Code's defaults (http.proxySupport "override", http.fetchAdditionalSupport on, VS
    // Code >= 1.96) VS Code's fetch patch resolves the proxy itself and replaces our dispatcher:
    // its undici ProxyAgent tunnels even http:// with CONNECT (microsoft/vscode-proxy-agent
    // createFetchPatch / createProxyAgent).
    assert.ok(
      generateIdToken.every((r) => r.status === 200 && r.method === 'CONNECT'),
      JSON.stringify(proxy.requests),
    );

    await http().update('proxy', undefined, vscode.ConfigurationTarget.Global);
    const seen = proxy.requests.length;
    await assert.rejects(async () => mint('https://after.example.com'), /could not be resolved/);
    assert.equal(proxy.requests.length, seen);
  });

  it("with VS Code's fetch patch off, Token Explorer's own agent routes it; proxySupport off: none", async () => {
    await http().update('fetchAdditionalSupport', false, vscode.ConfigurationTarget.Global);
    try {
      await http().update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
      proxy.requests.length = 0;
      assert.ok(await mint('https://own-agent.example.com'));
      // Our ProxyAgent forwards http:// in absolute form, as curl and Go do.
      const seen = proxy.requests.filter((r) => r.target.includes(HOST));
      assert.ok(seen.length > 0, JSON.stringify(proxy.requests));
      assert.ok(
        seen.every((r) => r.method === 'POST' && r.target.startsWith(`http://${HOST}:`)),
        JSON.stringify(proxy.requests),
      );

      await http().update('proxySupport', 'off', vscode.ConfigurationTarget.Global);
      proxy.requests.length = 0;
      await assert.rejects(
        async () => mint('https://support-off.example.com'),
        /could not be resolved/,
      );
      assert.equal(proxy.requests.length, 0);
    } finally {
      await http().update('proxySupport', undefined, vscode.ConfigurationTarget.Global);
      await http().update('fetchAdditionalSupport', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
