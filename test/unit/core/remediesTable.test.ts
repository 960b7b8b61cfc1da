// Every failure a user can fix carries the remedy that fixes it: one row per failure, each driven
// for real (missing programs and files, fake CLIs as real processes, the Vault emulator, a taken
// port) and checked by the remedies it carries. A new throw without a remedy shows up here as a
// row whose expectation fails. Failures no button can fix (a server fault, a program's own bug)
// carry none, or Retry when they may pass; rows assert that too.
import * as assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorCode } from '../../../src/core/errors';
import { LocalIssuer } from '../../../src/core/localIssuer/issuer';
import { nodeProcessRunner } from '../../../src/core/node/processRunner';
import { customCommandProvider } from '../../../src/core/providers/custom/command';
import { githubActionsProvider } from '../../../src/core/providers/github/actions';
import { AccessTokenSource } from '../../../src/core/providers/google/accessTokenSource';
import { adcAccessTokenSource } from '../../../src/core/providers/google/adc';
import { parseCredentials } from '../../../src/core/providers/google/credentialFiles';
import type { ProviderContext } from '../../../src/core/providers/provider';
import { tokenFileProvider } from '../../../src/core/providers/tokenFile/tokenFile';
import { type Remedy, remediesFor } from '../../../src/core/remedies';
import { vaultLogin } from '../../../src/core/vault/login';
import { VaultServer } from '../../emulators/vault/vaultServer';
import { MemorySecrets, testContext } from '../../helpers/context';
import { rejectsWith } from '../helpers/assertions';
import { closedPort, useTempDir } from '../helpers/fixtures';

const EDIT: Remedy = { kind: 'editAccountSettings' };
const RETRY: Remedy = { kind: 'retry' };
const GOOGLE_EXECUTABLE_DOCS: Remedy = {
  kind: 'openUrl',
  url: 'https://cloud.google.com/iam/docs/workload-identity-federation-with-other-providers#executable-sourced-credentials',
  label: 'Open Google Docs',
};
const setting = (key: string): Remedy => ({ kind: 'openSetting', key });

/** One failure: how to cause it, its code, and the remedies it must carry (in order). */
interface Row {
  readonly failure: string;
  readonly code: ErrorCode;
  run(dir: string): Promise<unknown>;
  remedies(dir: string): readonly Remedy[];
}

/** An `external_account` file whose subject token comes from a program (pluggable auth). */
async function executableCredentials(dir: string, command: string) {
  const path = join(dir, 'wif.json');
  const json = JSON.stringify({
    type: 'external_account',
    audience:
      '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/o',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: { executable: { command, timeout_millis: 5000 } },
  });
  await writeFile(path, json);
  return parseCredentials(json, path);
}

/** A script that prints `stdout` and exits with `exitCode`, run as the user's own command. */
async function script(dir: string, name: string, stdout: string, exitCode = 0): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    `#!/bin/sh\nprintf '%s' '${stdout.replace(/'/g, `'\\''`)}'\necho 'it failed' >&2\nexit ${exitCode}\n`,
  );
  await chmod(path, 0o755);
  return path;
}

const ctx = (dir: string, env: Record<string, string> = {}): ProviderContext =>
  testContext({ runner: nodeProcessRunner, homeDir: dir, env, timeoutMs: 5000 });

const ROWS: readonly Row[] = [
  {
    failure: 'Google executable source while executables are off',
    code: 'bad-config',
    run: async (dir) =>
      new AccessTokenSource(
        await executableCredentials(dir, '/usr/bin/get-token'),
        ctx(dir),
      ).getAccessToken(),
    remedies: (dir) => [{ kind: 'openFile', path: join(dir, 'wif.json') }, GOOGLE_EXECUTABLE_DOCS],
  },
  {
    failure: 'Google executable source whose program is missing',
    code: 'cli-not-found',
    run: async (dir) =>
      new AccessTokenSource(
        await executableCredentials(dir, join(dir, 'no-such-program --flag')),
        ctx(dir, { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' }),
      ).getAccessToken(),
    remedies: (dir) => [{ kind: 'openFile', path: join(dir, 'wif.json') }, GOOGLE_EXECUTABLE_DOCS],
  },
  {
    failure: 'Google executable source whose program fails (its own problem)',
    code: 'cli-failed',
    run: async (dir) =>
      new AccessTokenSource(
        await executableCredentials(dir, await script(dir, 'get-token', '', 3)),
        ctx(dir, { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' }),
      ).getAccessToken(),
    remedies: () => [],
  },
  {
    failure: 'No Application Default Credentials and no metadata server',
    code: 'no-credentials',
    run: (dir) => adcAccessTokenSource(ctx(dir, { NO_GCE_CHECK: 'true' })),
    remedies: () => [
      {
        kind: 'copyCommand',
        command: 'gcloud auth application-default login',
        label: 'Copy Command',
      },
    ],
  },
  {
    failure: "An account's credentials file that does not exist",
    code: 'no-credentials',
    run: (dir) => adcAccessTokenSource(ctx(dir), { credentialsFile: join(dir, 'gone.json') }),
    remedies: () => [EDIT],
  },
  {
    failure: 'GitHub Actions outside a job with id-token: write',
    code: 'no-credentials',
    run: (dir) =>
      githubActionsProvider.mint(
        { id: 'gh', kind: 'github-actions', settings: {} },
        { audience: 'https://x' },
        ctx(dir),
      ),
    remedies: () => [
      {
        kind: 'copyText',
        text: 'permissions:\n  id-token: write\n  contents: read\n',
        label: 'Copy Permissions',
        pasteInto: 'the job of your workflow file',
      },
      {
        kind: 'openUrl',
        url: 'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings',
        label: 'Open GitHub Docs',
      },
    ],
  },
  {
    failure: 'Token file that does not exist',
    code: 'no-credentials',
    run: (dir) =>
      tokenFileProvider.mint(
        { id: 't', kind: 'token-file', settings: { path: join(dir, 'token') } },
        { audience: '' },
        ctx(dir),
      ),
    remedies: () => [EDIT],
  },
  {
    failure: 'Token file that holds something else (a PEM key)',
    code: 'not-a-jwt',
    run: async (dir) => {
      await writeFile(join(dir, 'token'), '-----BEGIN CERTIFICATE-----\nMIIB\n');
      return tokenFileProvider.mint(
        { id: 't', kind: 'token-file', settings: { path: join(dir, 'token') } },
        { audience: '' },
        ctx(dir),
      );
    },
    remedies: (dir) => [{ kind: 'openFile', path: join(dir, 'token') }, EDIT],
  },
  {
    failure: 'Token file named by a variable that is not set',
    code: 'no-credentials',
    run: (dir) =>
      tokenFileProvider.mint(
        { id: 't', kind: 'token-file', settings: { pathVariable: 'AWS_WEB_IDENTITY_TOKEN_FILE' } },
        { audience: '' },
        ctx(dir),
      ),
    remedies: () => [EDIT],
  },
  {
    failure: 'Token in a variable that holds no JWT (nothing to open)',
    code: 'not-a-jwt',
    run: (dir) =>
      tokenFileProvider.mint(
        { id: 't', kind: 'token-file', settings: { variable: 'MY_TOKEN' } },
        { audience: '' },
        ctx(dir, { MY_TOKEN: 'not a token' }),
      ),
    remedies: () => [EDIT],
  },
  {
    failure: 'Custom command that fails',
    code: 'cli-failed',
    run: async (dir) =>
      customCommandProvider.mint(
        { id: 'c', kind: 'custom-command', settings: { command: [await script(dir, 't', '', 2)] } },
        { audience: 'x' },
        ctx(dir),
      ),
    remedies: () => [EDIT],
  },
  {
    failure: 'Custom command that prints JSON without a token',
    code: 'json-without-token',
    run: async (dir) =>
      customCommandProvider.mint(
        {
          id: 'c',
          kind: 'custom-command',
          settings: {
            command: [await script(dir, 't', '{"data":{}}')],
            output: 'json',
            jsonField: 'data.id_token',
          },
        },
        { audience: 'x' },
        ctx(dir),
      ),
    remedies: () => [EDIT],
  },
  {
    failure: 'Vault address that is not a URL',
    code: 'bad-config',
    run: () => vaultLogin({ address: 'vault:8200 x', timeoutMs: 3000 }, 'a.b.c'),
    remedies: () => [setting('tokenExplorer.vault.address')],
  },
  {
    failure: 'Vault that cannot be reached',
    code: 'network',
    run: async () =>
      vaultLogin({ address: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 3000 }, 'a.b.c'),
    remedies: () => [RETRY, setting('tokenExplorer.vault.address')],
  },
];

describe('remedies: every fixable failure carries its fix', () => {
  const tmp = useTempDir('remedies-table-');

  for (const row of ROWS) {
    it(row.failure, async () => {
      const error = await rejectsWith(row.run(tmp.path), row.code);
      assert.deepEqual(remediesFor(error), row.remedies(tmp.path));
    });
  }

  describe('Vault (the emulator answers as Vault does)', () => {
    let vault: VaultServer;
    before(async () => {
      vault = await VaultServer.start();
      vault.mount('jwt', { jwks: { keys: [] }, roles: {} });
    });
    after(() => vault.stop());

    it('a role that does not exist: open the role setting', async () => {
      const error = await rejectsWith(
        vaultLogin({ address: vault.url, role: 'nope', timeoutMs: 3000 }, 'a.b.c'),
        'permission-denied',
        /role "nope" could not be found/,
      );
      assert.deepEqual(remediesFor(error), [setting('tokenExplorer.vault.role')]);
    });

    it('a mount that does not exist: the mount and namespace settings', async () => {
      const error = await rejectsWith(
        vaultLogin({ address: vault.url, mount: 'nowhere', role: 'ci', timeoutMs: 3000 }, 'a.b.c'),
        'http-status',
      );
      assert.deepEqual(remediesFor(error), [
        setting('tokenExplorer.vault.mount'),
        setting('tokenExplorer.vault.namespace'),
      ]);
    });
  });

  it('a local issuer port that is taken: open the port setting', async () => {
    const secrets = new MemorySecrets();
    const first = await LocalIssuer.load(secrets, {});
    const second = await LocalIssuer.load(secrets, {});
    const port = Number(new URL(await first.start()).port);
    try {
      const error = await rejectsWith(second.start(port), 'bad-config', /already in use/);
      assert.deepEqual(remediesFor(error), [setting('tokenExplorer.localIssuer.port')]);
    } finally {
      await first.stop();
    }
  });
});
