import * as assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectToken } from '../../../../../src/core/jwt/inspect';
import { nodeFileReader } from '../../../../../src/core/node/fileReader';
import type { Account, ProviderContext } from '../../../../../src/core/providers/provider';
import { tokenFileProvider } from '../../../../../src/core/providers/tokenFile/tokenFile';
import {
  findTokenLocations,
  tokenFileDescriptor,
} from '../../../../../src/core/providers/tokenFile/tokenFileDescriptor';
import { conventionalLocation } from '../../../../../src/core/providers/tokenFile/wellKnown';
import { runWizardSteps, type WizardUi } from '../../../../../src/core/wizard';
import { FrozenClock, testContext } from '../../../../helpers/context';
import { OidcIssuer } from '../../../../emulators/oidcIssuer';
import { rejectsWithout, verifyThroughIssuer } from '../../../helpers/assertions';
import { useTempDir } from '../../../helpers/fixtures';

/** Claims of a projected Kubernetes service-account token (kubelet, TokenRequest API). */
function kubernetesClaims(aud: string, exp: number) {
  return {
    aud: [aud],
    exp,
    sub: 'system:serviceaccount:payments:api',
    'kubernetes.io': {
      namespace: 'payments',
      serviceaccount: { name: 'api', uid: '7c1f0a3e-1111-2222-3333-444455556666' },
      pod: { name: 'api-7d9c', uid: '0b6d3c1e-aaaa-bbbb-cccc-ddddeeeeffff' },
    },
  };
}

function account(settings: Record<string, unknown>): Account {
  return { id: 'file', kind: 'token-file', name: 'Pod token', settings };
}

describe('Token file provider', () => {
  let issuer: OidcIssuer;
  const dir = useTempDir('token-file-');
  const tokens: string[] = [];
  const rejects = rejectsWithout(() => tokens);
  const now = Math.floor(Date.now() / 1000);

  before(async () => {
    issuer = await OidcIssuer.start();
  });
  after(() => issuer.stop());

  async function signed(aud: string, exp = now + 3600): Promise<string> {
    const token = await issuer.sign(kubernetesClaims(aud, exp));
    tokens.push(token);
    return token;
  }

  function context(env: Record<string, string> = {}, clock = new FrozenClock()): ProviderContext {
    return { ...testContext({ env, clock, files: nodeFileReader }), inClusterRoot: dir.path };
  }

  it('reads the token at a path, with its exp, and the inspector verifies it', async () => {
    const token = await signed('sts.amazonaws.com');
    const path = join(dir.path, 'token');
    await writeFile(path, token);
    const minted = await tokenFileProvider.mint(account({ path }), { audience: '' }, context());
    assert.equal(minted.token, token);
    assert.equal(minted.expiresAt, (now + 3600) * 1000);
    const outcome = await verifyThroughIssuer(inspectToken(token), issuer.url, issuer.jwksUrl);
    assert.equal(outcome.status, 'verified');
  });

  it('re-reads the file at every mint, so a rotated token is picked up', async () => {
    const path = join(dir.path, 'token');
    await writeFile(path, await signed('a', now + 600));
    const first = await tokenFileProvider.mint(account({ path }), { audience: '' }, context());
    const rotated = await signed('a', now + 4000);
    await writeFile(path, `${rotated}\n`);
    const second = await tokenFileProvider.mint(account({ path }), { audience: '' }, context());
    assert.notEqual(first.token, second.token);
    assert.equal(second.token, rotated);
    assert.equal(second.expiresAt, (now + 4000) * 1000);
  });

  it('follows a variable naming the file (IRSA) and one holding the token (HCP Terraform)', async () => {
    const token = await signed('sts.amazonaws.com');
    const path = join(dir.path, 'irsa-token');
    await writeFile(path, token);
    const irsa = await tokenFileProvider.mint(
      account({ pathVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' }),
      { audience: 'sts.amazonaws.com' },
      context({ AWS_WEB_IDENTITY_TOKEN_FILE: path }),
    );
    assert.equal(irsa.token, token);
    const tfc = await tokenFileProvider.mint(
      account({ variable: 'TFC_WORKLOAD_IDENTITY_TOKEN' }),
      { audience: '' },
      context({ TFC_WORKLOAD_IDENTITY_TOKEN: token }),
    );
    assert.equal(tfc.token, token);
  });

  it('explains a missing file, an unset variable and a missing variable file', async () => {
    const missing = join(dir.path, 'nope', 'token');
    await rejects(
      tokenFileProvider.mint(account({ path: missing }), { audience: '' }, context()),
      'no-credentials',
      /does not exist/,
      /mounted/,
    );
    await rejects(
      tokenFileProvider.mint(
        account({ pathVariable: 'AZURE_FEDERATED_TOKEN_FILE' }),
        { audience: '' },
        context(),
      ),
      'no-credentials',
      /AZURE_FEDERATED_TOKEN_FILE is not set/,
      /AKS workload identity/,
    );
    await rejects(
      tokenFileProvider.mint(
        account({ pathVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' }),
        { audience: '' },
        context({ AWS_WEB_IDENTITY_TOKEN_FILE: missing }),
      ),
      'no-credentials',
      /from \$AWS_WEB_IDENTITY_TOKEN_FILE/,
      /volume/,
    );
    await rejects(
      tokenFileProvider.mint(
        account({ variable: 'TFC_WORKLOAD_IDENTITY_TOKEN' }),
        { audience: '' },
        context(),
      ),
      'no-credentials',
      /TFC_WORKLOAD_IDENTITY_TOKEN is not set/,
      /TFC_WORKLOAD_IDENTITY_AUDIENCE/,
    );
  });

  it('explains an unreadable file and a folder', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads any file
    const path = join(dir.path, 'locked');
    await writeFile(path, await signed('a'));
    await chmod(path, 0o000);
    await rejects(
      tokenFileProvider.mint(account({ path }), { audience: '' }, context()),
      'bad-config',
      /cannot be read/,
      /permission denied/,
    );
  });

  it('explains a folder given as the file', async () => {
    await mkdir(join(dir.path, 'folder'));
    await rejects(
      tokenFileProvider.mint(
        account({ path: join(dir.path, 'folder') }),
        { audience: '' },
        context(),
      ),
      'bad-config',
      /cannot be read/,
      /folder/,
    );
  });

  it('says what an empty or non-JWT file holds without quoting it', async () => {
    const path = join(dir.path, 'token');
    const cases: [string, RegExp, string][] = [
      ['', /is empty/, 'no-token'],
      ['   \n', /is empty/, 'no-token'],
      [
        '-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----\n',
        /PEM block/,
        'not-a-jwt',
      ],
      ['{"access_token":"secret-value-1"}', /JSON document/, 'not-a-jwt'],
      ['eyJhbGciOiJkaXIifQ..aXY.Y2lwaGVy.dGFn', /encrypted token \(JWE/, 'not-a-jwt'],
      ['\u0000\u0001\u0002binary', /binary data/, 'not-a-jwt'],
      ['opaque-ecs-authorization-token-value', /single word of 36 characters/, 'not-a-jwt'],
      ['eyJhbGciOiJSUzI1NiJ9.@@@.sig', /single word/, 'not-a-jwt'],
      ['eyJub3QganNvbg.eyJhIjoxfQ.c2ln', /does not decode/, 'not-a-jwt'],
    ];
    for (const [text, pattern, code] of cases) {
      await writeFile(path, text);
      const error = await rejects(
        tokenFileProvider.mint(account({ path }), { audience: '' }, context()),
        code as 'not-a-jwt',
        pattern,
      );
      assert.ok(!error.message.includes('secret-value-1'), 'the content is never quoted');
      assert.ok(!error.message.includes('opaque-ecs'), 'the content is never quoted');
    }
  });

  it('refuses a file far larger than a token without reading it whole', async () => {
    const path = join(dir.path, 'big.log');
    await writeFile(path, 'x'.repeat(200_000));
    await rejects(
      tokenFileProvider.mint(account({ path }), { audience: '' }, context()),
      'not-a-jwt',
      /200000 bytes/,
    );
  });

  it('names who rotates an expired token, per source', async () => {
    const clock = new FrozenClock((now + 7200) * 1000);
    const path = join(dir.path, 'token');
    await writeFile(path, await signed('a', now + 60));
    await rejects(
      tokenFileProvider.mint(
        account({ pathVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' }),
        { audience: '' },
        context({ AWS_WEB_IDENTITY_TOKEN_FILE: path }, clock),
      ),
      'bad-credentials',
      /expired at/,
      /kubelet rewrites/,
      /Pod Identity webhook/,
    );
    await rejects(
      tokenFileProvider.mint(account({ path }), { audience: '' }, context({}, clock)),
      'bad-credentials',
      /Kubernetes service-account token/,
    );
    const other = await issuer.sign({ aud: 'x', exp: now + 60, sub: 'job' });
    tokens.push(other);
    await rejects(
      tokenFileProvider.mint(
        account({ variable: 'TFC_WORKLOAD_IDENTITY_TOKEN' }),
        { audience: '' },
        context({ TFC_WORKLOAD_IDENTITY_TOKEN: other }, clock),
      ),
      'bad-credentials',
      /each plan and apply phase/,
    );
  });

  it("refuses another audience than the token's, naming what the token is for", async () => {
    const path = join(dir.path, 'token');
    await writeFile(path, await signed('api://AzureADTokenExchange'));
    await rejects(
      tokenFileProvider.mint(account({ path }), { audience: 'https://other' }, context()),
      'bad-config',
      /"api:\/\/AzureADTokenExchange", not "https:\/\/other"/,
      /projection's audience/,
    );
  });

  it('validates the settings', () => {
    assert.deepEqual(tokenFileProvider.validate(account({ path: '/var/run/t' })), []);
    assert.match(tokenFileProvider.validate(account({})).join(' '), /Set the token file path/);
    assert.match(
      tokenFileProvider.validate(account({ path: '/a', variable: 'B' })).join(' '),
      /only one of path, variable/,
    );
    assert.match(tokenFileProvider.validate(account({ path: 'rel/token' })).join(' '), /absolute/);
    assert.deepEqual(tokenFileProvider.validate(account({ path: 'C:\\tokens\\t' })), []);
    assert.match(
      tokenFileProvider.validate(account({ pathVariable: '$AWS_X' })).join(' '),
      /not a variable name/,
    );
    assert.match(tokenFileProvider.validate(account({ path: 3 })).join(' '), /must be text/);
  });

  it('detects the well-known variables and the in-cluster path through the ports only', async () => {
    const irsa = join(dir.path, 'irsa');
    const aks = join(dir.path, 'aks');
    const notJwt = join(dir.path, 'ecs');
    // The summary's "time left" is from the context's clock: frozen one hour before exp.
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const clock = new FrozenClock((exp - 3600) * 1000);
    await writeFile(irsa, await signed('sts.amazonaws.com', exp));
    await writeFile(aks, await signed('api://AzureADTokenExchange'));
    await writeFile(notJwt, 'opaque-ecs-authorization-token-value');
    await writeFile(join(dir.path, 'token'), await signed('https://kubernetes.default.svc'));
    const tfc = await signed('vault.example');
    const found = await tokenFileDescriptor.detect({
      context: context(
        {
          AWS_WEB_IDENTITY_TOKEN_FILE: irsa,
          AZURE_FEDERATED_TOKEN_FILE: aks,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: notJwt,
          TFC_WORKLOAD_IDENTITY_TOKEN: tfc,
        },
        clock,
      ),
      shared: (_key, compute) => compute(),
      environmentNames: () => [],
      signal: new AbortController().signal,
    });
    assert.deepEqual(
      found.map((f) => f.draft.settings),
      [
        { pathVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' },
        { pathVariable: 'AZURE_FEDERATED_TOKEN_FILE' },
        { variable: 'TFC_WORKLOAD_IDENTITY_TOKEN' },
        { path: join(dir.path, 'token') },
      ],
    );
    assert.match(
      found[0]?.detail ?? '',
      /^http:\/\/127\.0\.0\.1:\d+ → sts\.amazonaws\.com, 1 h left$/,
    );
    for (const f of found) {
      for (const token of tokens) assert.ok(!JSON.stringify(f).includes(token), 'no token shown');
    }
  });

  it('detects nothing when nothing is set', async () => {
    const found = await tokenFileDescriptor.detect({
      context: context(),
      shared: (_key, compute) => compute(),
      environmentNames: () => [],
      signal: new AbortController().signal,
    });
    assert.deepEqual(found, []);
  });

  it('offers conventional *_TOKEN_FILE and TFC_WORKLOAD_IDENTITY_TOKEN_<TAG> variables', async () => {
    assert.deepEqual(conventionalLocation('VAULT_TOKEN_FILE'), {
      kind: 'pathVariable',
      name: 'VAULT_TOKEN_FILE',
    });
    assert.deepEqual(conventionalLocation('TFC_WORKLOAD_IDENTITY_TOKEN_AWS'), {
      kind: 'variable',
      name: 'TFC_WORKLOAD_IDENTITY_TOKEN_AWS',
    });
    assert.equal(conventionalLocation('HOME'), undefined);
    const path = join(dir.path, 'custom');
    await writeFile(path, await signed('custom'));
    const found = await findTokenLocations(context({ MY_OIDC_TOKEN_FILE: path }), [
      'MY_OIDC_TOKEN_FILE',
      'HOME',
    ]);
    assert.deepEqual(
      found.map((f) => f.location),
      [{ kind: 'pathVariable', name: 'MY_OIDC_TOKEN_FILE' }],
    );
  });

  it('wizard: picks a found location, or takes a typed $VARIABLE', async () => {
    const path = join(dir.path, 'irsa');
    await writeFile(path, await signed('sts.amazonaws.com'));
    const answers: string[] = [];
    const ui = (pickIndex: number, typed?: string): WizardUi => ({
      pick: async (items) => {
        answers.push(items.map((i) => i.label).join('|'));
        return items[pickIndex === -1 ? items.length - 1 : pickIndex];
      },
      input: async () => typed,
      confirm: async () => true,
      pickFile: async () => undefined,
      busy: (_title, task) => task(new AbortController().signal),
      recover: async () => undefined,
      error: () => undefined,
    });
    const ports = (u: WizardUi) => ({
      ui: u,
      context: context({ AWS_WEB_IDENTITY_TOKEN_FILE: path }),
      state: { get: () => undefined, update: async () => undefined },
      environmentNames: () => ['AWS_WEB_IDENTITY_TOKEN_FILE'],
    });
    const picked = await runWizardSteps(
      tokenFileDescriptor.wizard,
      { kind: 'token-file', settings: {} },
      ports(ui(0)),
    );
    assert.deepEqual(picked?.settings, { pathVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' });
    assert.equal(picked?.name, 'EKS IRSA token');
    assert.match(answers[0] ?? '', /IRSA.*Choose a file.*Type a path/);
    const typed = await runWizardSteps(
      tokenFileDescriptor.wizard,
      { kind: 'token-file', settings: {} },
      ports(ui(-1, '=TFC_WORKLOAD_IDENTITY_TOKEN_VAULT')),
    );
    assert.deepEqual(typed?.settings, { variable: 'TFC_WORKLOAD_IDENTITY_TOKEN_VAULT' });
    const cancelled = await runWizardSteps(
      tokenFileDescriptor.wizard,
      { kind: 'token-file', settings: {} },
      ports(ui(-1, undefined)),
    );
    assert.equal(cancelled, undefined);
  });
});
